//! What a `JSSandbox` holds on the host before `getLoadedSandbox()`: handler
//! and module sources, kept and validated the same way for every backend.

use std::collections::BTreeMap;

use crate::config::validate_name;
use crate::error::{Error, Result};

pub const DEFAULT_NAMESPACE: &str = "user";

#[derive(Debug, Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<String, String>,
    /// Keyed by the import specifier, `<namespace>:<name>`.
    modules: BTreeMap<String, String>,
}

impl Registry {
    /// Adding a handler under an existing name replaces it, as in the spec's JSSandbox.
    pub fn add_handler(&mut self, name: &str, source: &str) -> Result<()> {
        validate_name("handler name", name)?;
        self.handlers.insert(name.to_string(), source.to_string());
        Ok(())
    }

    pub fn remove_handler(&mut self, name: &str) -> Result<()> {
        validate_name("handler name", name)?;
        self.handlers.remove(name);
        Ok(())
    }

    pub fn clear_handlers(&mut self) {
        self.handlers.clear();
    }

    pub fn add_module(&mut self, name: &str, source: &str, namespace: Option<&str>) -> Result<()> {
        let key = module_key(name, namespace)?;
        if self.modules.contains_key(&key) {
            return Err(Error::invalid_arg(format!(
                "module '{key}' is already registered; removeModule() it first to replace it"
            )));
        }
        self.modules.insert(key, source.to_string());
        Ok(())
    }

    pub fn remove_module(&mut self, name: &str, namespace: Option<&str>) -> Result<()> {
        let key = module_key(name, namespace)?;
        self.modules.remove(&key);
        Ok(())
    }

    pub fn clear_modules(&mut self) {
        self.modules.clear();
    }

    pub fn handlers(&self) -> Vec<(String, String)> {
        self.handlers.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub fn handler_names(&self) -> Vec<String> {
        self.handlers.keys().cloned().collect()
    }

    pub fn modules(&self) -> Vec<(String, String)> {
        self.modules.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

fn module_key(name: &str, namespace: Option<&str>) -> Result<String> {
    let namespace = namespace.unwrap_or(DEFAULT_NAMESPACE);
    validate_name("module name", name)?;
    validate_name("module namespace", namespace)?;
    if name.contains(':') {
        return Err(Error::invalid_arg(format!("module name '{name}' must not contain ':'")));
    }
    if namespace.contains(':') {
        return Err(Error::invalid_arg(format!("module namespace '{namespace}' must not contain ':'")));
    }
    if namespace == "host" {
        return Err(Error::invalid_arg(
            "module namespace 'host' is reserved for host functions; pick another namespace",
        ));
    }
    Ok(format!("{namespace}:{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_rules_are_named_in_errors() {
        let mut r = Registry::default();
        r.add_module("math", "export const x = 1", None).unwrap();
        let dup = r.add_module("math", "x", None).unwrap_err();
        assert!(dup.message.contains("already registered"), "{}", dup.message);
        assert!(r.add_module("a:b", "", None).unwrap_err().message.contains("':'"));
        assert!(r.add_module("x", "", Some("host")).unwrap_err().message.contains("reserved"));
        assert!(r.add_module("", "", None).unwrap_err().message.contains("empty"));
        r.add_module("math", "y", Some("lib")).unwrap();
        assert_eq!(r.modules().iter().map(|m| m.0.as_str()).collect::<Vec<_>>(), ["lib:math", "user:math"]);
    }

    #[test]
    fn handlers_replace_and_remove() {
        let mut r = Registry::default();
        r.add_handler("h", "a").unwrap();
        r.add_handler("h", "b").unwrap();
        assert_eq!(r.handlers(), vec![("h".to_string(), "b".to_string())]);
        r.remove_handler("h").unwrap();
        assert!(r.handlers().is_empty());
        assert!(r.add_handler("", "x").is_err());
    }
}
