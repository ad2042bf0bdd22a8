//! How a guest loads a sandbox's modules and handlers, the same on both
//! backends: the steps, in order, and how a failed step reads to a user.
//! Each backend carries the steps out with its own calls (the process guest
//! on its runtime, the micro-VM host through the guest's functions).

use crate::guest_error::{handler_wrapper, WRAPPER_DIR};

/// One registration with the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `register_module(name, source)`: compiled when first imported.
    Module { name: String, source: String },
    /// `register_handler(name, source, dir)`: compiled and run now.
    Handler { name: String, source: String, dir: String },
}

/// A step and what a user reads before the runtime's error if it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub step: Step,
    pub what: String,
}

impl Planned {
    /// The message for this step's failure, `error` being the runtime's error as described.
    pub fn failure(&self, error: &str) -> String {
        format!("{}: {error}", self.what)
    }
}

/// The user's modules, then each handler: its own source as a module, and
/// the wrapper the runtime calls (see `guest_error::handler_wrapper`).
pub fn plan(modules: &[(String, String)], handlers: &[(String, String)]) -> Vec<Planned> {
    let mut steps = Vec::with_capacity(modules.len() + 2 * handlers.len());
    for (name, source) in modules {
        steps.push(Planned { step: Step::Module { name: name.clone(), source: source.clone() }, what: format!("module '{name}'") });
    }
    for (name, source) in handlers {
        let what = format!("handler '{name}' failed to load");
        let (path, module, wrapper) = handler_wrapper(name, source);
        steps.push(Planned { step: Step::Module { name: path, source: module }, what: what.clone() });
        steps.push(Planned { step: Step::Handler { name: name.clone(), source: wrapper, dir: WRAPPER_DIR.to_string() }, what });
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_come_first_then_each_handler_as_its_module_and_its_wrapper() {
        let modules = [("user:m".to_string(), "export const x = 1".to_string())];
        let handlers = [("h".to_string(), "function handler() {}".to_string())];
        let steps = plan(&modules, &handlers);
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].step, Step::Module { name: "user:m".into(), source: "export const x = 1".into() });
        assert_eq!(steps[0].failure("SyntaxError: x"), "module 'user:m': SyntaxError: x");
        assert!(matches!(&steps[1].step, Step::Module { name, .. } if name == "/h.js"));
        assert!(matches!(&steps[2].step, Step::Handler { name, dir, .. } if name == "h" && dir == WRAPPER_DIR));
        assert_eq!(steps[2].failure("boom"), "handler 'h' failed to load: boom");
    }
}
