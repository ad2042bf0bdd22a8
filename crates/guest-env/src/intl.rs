//! What `Intl` (prelude/22-intl.js) needs from ICU4X, for the one locale a
//! sandbox has, en-US: a finite number's digits as `Intl.NumberFormat` gives
//! them, and UCA collation as `Intl.Collator` compares. The prelude does the
//! rest (options, styles, symbols, signs, dates).

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

use fixed_decimal::{Decimal, FloatPrecision, SignedRoundingMode, UnsignedRoundingMode};
use hyperlight_js_runtime::rquickjs::{Ctx, Exception, Result};
use icu_collator::options::{AlternateHandling, CaseLevel, CollatorOptions, Strength};
use icu_collator::preferences::CollationNumericOrdering;
use icu_collator::{CollatorBorrowed, CollatorPreferences};
use icu_decimal::options::{DecimalFormatterOptions, GroupingStrategy};
use icu_decimal::DecimalFormatter;
use icu_locale_core::locale;
use writeable::Writeable;

/// The most fraction digits ECMA-402 allows (and the most integer digits, 21).
const MAX_FRACTION_DIGITS: f64 = 100.0;
const MAX_INTEGER_DIGITS: f64 = 21.0;

fn digits(ctx: &Ctx<'_>, what: &str, value: f64, min: f64, max: f64) -> Result<i16> {
    // (No `f64::fract` without std.)
    if !(min..=max).contains(&value) || value as i16 as f64 != value {
        return Err(Exception::throw_range(ctx, &alloc::format!("intlFormatNumber: {what} must be a whole number from {min} to {max}")));
    }
    Ok(value as i16)
}

/// `x`'s digits in en-US: rounded half away from zero at `max_frac`
/// fraction digits (on its shortest decimal form, as ICU rounds), at least
/// `min_frac` of them and `min_int` integer digits, grouped or not; a
/// negative number (and -0) keeps its minus sign.
pub fn format_number(ctx: Ctx<'_>, x: f64, min_int: f64, min_frac: f64, max_frac: f64, grouping: bool) -> Result<String> {
    if !x.is_finite() {
        return Err(Exception::throw_range(&ctx, "intlFormatNumber: the number must be finite"));
    }
    let min_int = digits(&ctx, "minimumIntegerDigits", min_int, 1.0, MAX_INTEGER_DIGITS)?;
    let min_frac = digits(&ctx, "minimumFractionDigits", min_frac, 0.0, MAX_FRACTION_DIGITS)?;
    let max_frac = digits(&ctx, "maximumFractionDigits", max_frac, min_frac as f64, MAX_FRACTION_DIGITS)?;
    let mut d = Decimal::try_from_f64(x, FloatPrecision::RoundTrip)
        .map_err(|_| Exception::throw_range(&ctx, "intlFormatNumber: the number has too many digits"))?;
    d.round_with_mode(-max_frac, SignedRoundingMode::Unsigned(UnsignedRoundingMode::HalfExpand));
    d.trim_end();
    d.pad_end(-min_frac);
    d.pad_start(min_int);
    let strategy = if grouping { GroupingStrategy::Auto } else { GroupingStrategy::Never };
    let options = DecimalFormatterOptions::from(strategy);
    let formatter = DecimalFormatter::try_new(locale!("en-US").into(), options)
        .map_err(|_| Exception::throw_internal(&ctx, "intlFormatNumber: ICU4X has no en-US number data"))?;
    Ok(formatter.format(&d).write_to_string().into_owned())
}

/// The collators asked for so far, by options: made once each (making one
/// loads its data), and a guest has one thread.
static COLLATORS: spin::Mutex<Vec<(u8, CollatorBorrowed<'static>)>> = spin::Mutex::new(Vec::new());

/// `a` against `b` as `Intl.Collator('en-US', options).compare` orders them:
/// -1, 0 or 1. `sensitivity`: ECMA-402's `base`, `accent`, `case` or `variant`.
pub fn compare(ctx: Ctx<'_>, a: String, b: String, sensitivity: String, numeric: bool, ignore_punctuation: bool) -> Result<i32> {
    let level: u8 = match sensitivity.as_str() {
        "base" => 0,
        "accent" => 1,
        "case" => 2,
        "variant" => 3,
        other => return Err(Exception::throw_range(&ctx, &alloc::format!("intlCompare: unknown sensitivity '{other}'"))),
    };
    let key = level | (numeric as u8) << 2 | (ignore_punctuation as u8) << 3;
    let mut collators = COLLATORS.lock();
    let at = match collators.iter().position(|(k, _)| *k == key) {
        Some(at) => at,
        None => {
            let mut options = CollatorOptions::default();
            options.strength = Some(match level {
                0 | 2 => Strength::Primary,
                1 => Strength::Secondary,
                _ => Strength::Tertiary,
            });
            if level == 2 {
                options.case_level = Some(CaseLevel::On);
            }
            if ignore_punctuation {
                options.alternate_handling = Some(AlternateHandling::Shifted);
            }
            let mut prefs: CollatorPreferences = locale!("en-US").into();
            prefs.numeric_ordering = Some(if numeric { CollationNumericOrdering::True } else { CollationNumericOrdering::False });
            let collator = CollatorBorrowed::try_new(prefs, options)
                .map_err(|_| Exception::throw_internal(&ctx, "intlCompare: ICU4X has no en-US collation data"))?;
            collators.push((key, collator));
            collators.len() - 1
        }
    };
    Ok(match collators[at].1.compare(&a, &b) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    })
}
