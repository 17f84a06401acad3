//! Comment analysis that explains a service's place on the importance–performance chart: the
//! words and two-word phrases that set its low-satisfaction comments (1–2 out of 5) apart from its
//! high-satisfaction ones (4–5), each with example comments, so that a town sees *why* a service
//! sits in "concentrate here".
//!
//! Each comment is read in French or in English (whichever language's stop words it uses more;
//! French on a tie), its words lowercased, stop words dropped (the maintained Stopwords ISO lists
//! of the `stop-words` crate) and the rest reduced to their Snowball stems (`rust-stemmers`), so
//! that "attente", "attentes" and "attendre" count as one term. A term counts once per comment.
//! Terms are ranked by the log-odds ratio of appearing in a low rather than a high comment, with
//! a Jeffreys prior (0.5 added to every count) and divided by its standard error (the "fightin'
//! words" z-score of Monroe, Colaresi and Quinn, 2008); a term needs a z of at least 1.96 (5%
//! two-sided) and two comments on its side to be shown.
//!
//! Pure: the comments in, the terms out.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

/// A rating's comment and the satisfaction given with it (1 to 5).
#[derive(Debug, Clone, Copy)]
pub struct Comment<'a> {
    pub satisfaction: u8,
    pub text: &'a str,
}

/// A term that sets one side apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The stem (or two stems) counted.
    pub stem: String,
    /// The form most written in the comments, for people.
    pub label: String,
    /// Comments holding it, low and high.
    pub low: usize,
    pub high: usize,
    /// The z-score: positive for the low side.
    pub z: f64,
    /// Up to [`EXAMPLES`] different comments of its side holding it.
    pub examples: Vec<String>,
}

/// The terms of a service's comments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contrast {
    pub low_comments: usize,
    pub high_comments: usize,
    /// Most distinctive first.
    pub low_terms: Vec<Term>,
    pub high_terms: Vec<Term>,
}

/// The least z-score shown (5% two-sided).
pub const MIN_Z: f64 = 1.96;
/// The least number of comments of its side a term shown appears in.
pub const MIN_COMMENTS: usize = 2;
/// Example comments per term.
pub const EXAMPLES: usize = 2;
const PRIOR: f64 = 0.5;
const LOW: u8 = 2;
const HIGH: u8 = 4;

struct Language {
    stop_words: HashSet<String>,
    stemmer: Stemmer,
}

static FRENCH: LazyLock<Language> = LazyLock::new(|| Language {
    stop_words: stop_words::get(stop_words::LANGUAGE::French)
        .into_iter()
        .collect(),
    stemmer: Stemmer::create(Algorithm::French),
});
static ENGLISH: LazyLock<Language> = LazyLock::new(|| Language {
    stop_words: stop_words::get(stop_words::LANGUAGE::English)
        .into_iter()
        .collect(),
    stemmer: Stemmer::create(Algorithm::English),
});

/// The comment's words, lowercased (an apostrophe separates, as in "l'accueil").
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The comment's terms (stems and adjacent stem pairs, once each) with the words they came
/// from.
fn terms(text: &str) -> BTreeMap<String, String> {
    let words = words(text);
    let stop = |lang: &Language| {
        words
            .iter()
            .filter(|w| lang.stop_words.contains(*w))
            .count()
    };
    let lang: &Language = if stop(&ENGLISH) > stop(&FRENCH) {
        &ENGLISH
    } else {
        &FRENCH
    };
    let kept: Vec<(String, &String)> = words
        .iter()
        .filter(|w| w.chars().count() > 2 && !lang.stop_words.contains(*w))
        .filter(|w| !w.chars().all(|c| c.is_numeric()))
        .map(|w| (lang.stemmer.stem(w).into_owned(), w))
        .collect();
    let mut found = BTreeMap::new();
    for (stem, word) in &kept {
        found.entry(stem.clone()).or_insert_with(|| (*word).clone());
    }
    for pair in kept.windows(2) {
        found
            .entry(format!("{} {}", pair[0].0, pair[1].0))
            .or_insert_with(|| format!("{} {}", pair[0].1, pair[1].1));
    }
    found
}

#[derive(Default)]
struct Tally<'a> {
    low: usize,
    high: usize,
    forms: HashMap<String, usize>,
    low_examples: Vec<&'a str>,
    high_examples: Vec<&'a str>,
}

/// The terms that set the low comments apart from the high ones, and the reverse.
pub fn contrast(comments: &[Comment<'_>], top: usize) -> Contrast {
    let mut tallies: BTreeMap<String, Tally<'_>> = BTreeMap::new();
    let (mut low_comments, mut high_comments) = (0, 0);
    for comment in comments {
        let low = comment.satisfaction <= LOW;
        if !low && comment.satisfaction < HIGH {
            continue;
        }
        if low {
            low_comments += 1;
        } else {
            high_comments += 1;
        }
        for (stem, form) in terms(comment.text) {
            let tally = tallies.entry(stem).or_default();
            *tally.forms.entry(form).or_default() += 1;
            let (count, examples) = if low {
                (&mut tally.low, &mut tally.low_examples)
            } else {
                (&mut tally.high, &mut tally.high_examples)
            };
            *count += 1;
            if examples.len() < EXAMPLES && !examples.contains(&comment.text) {
                examples.push(comment.text);
            }
        }
    }
    let (n_low, n_high) = (low_comments as f64, high_comments as f64);
    let mut low_terms = Vec::new();
    let mut high_terms = Vec::new();
    for (stem, tally) in tallies {
        let (y_low, y_high) = (tally.low as f64, tally.high as f64);
        let odds = |y: f64, n: f64| ((y + PRIOR) / (n - y + PRIOR)).ln();
        let delta = odds(y_low, n_low) - odds(y_high, n_high);
        let variance = 1.0 / (y_low + PRIOR)
            + 1.0 / (n_low - y_low + PRIOR)
            + 1.0 / (y_high + PRIOR)
            + 1.0 / (n_high - y_high + PRIOR);
        let z = delta / variance.sqrt();
        let label = tally
            .forms
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(form, _)| form.clone())
            .unwrap_or_default();
        let term = |examples: &[&str]| Term {
            stem: stem.clone(),
            label: label.clone(),
            low: tally.low,
            high: tally.high,
            z,
            examples: examples.iter().map(|e| (*e).to_owned()).collect(),
        };
        if z >= MIN_Z && tally.low >= MIN_COMMENTS {
            low_terms.push(term(&tally.low_examples));
        } else if z <= -MIN_Z && tally.high >= MIN_COMMENTS {
            high_terms.push(term(&tally.high_examples));
        }
    }
    low_terms.sort_by(|a, b| b.z.total_cmp(&a.z).then(a.stem.cmp(&b.stem)));
    high_terms.sort_by(|a, b| a.z.total_cmp(&b.z).then(a.stem.cmp(&b.stem)));
    low_terms.truncate(top);
    high_terms.truncate(top);
    Contrast {
        low_comments,
        high_comments,
        low_terms,
        high_terms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(texts: &[(u8, &'static str)]) -> Vec<Comment<'static>> {
        texts
            .iter()
            .map(|(satisfaction, text)| Comment {
                satisfaction: *satisfaction,
                text,
            })
            .collect()
    }

    #[test]
    fn french_and_english_words_are_stemmed_and_stop_words_dropped() {
        let french = terms("Les attentes à l'accueil sont interminables");
        assert!(french.contains_key("attent"), "{french:?}");
        assert!(french.contains_key("accueil"), "{french:?}");
        assert!(
            !french.keys().any(|k| k == "les" || k == "sont"),
            "{french:?}"
        );
        assert!(
            french.contains_key("attent accueil"),
            "an adjacent pair: {french:?}"
        );
        let english = terms("We were waiting for hours at the desk");
        assert!(english.contains_key("wait"), "{english:?}");
        assert!(english.contains_key("hour"), "{english:?}");
        assert!(!english.contains_key("were"), "{english:?}");
    }

    #[test]
    fn the_terms_of_each_side_are_those_the_other_side_does_not_use() {
        let mut texts = Vec::new();
        for _ in 0..6 {
            texts.push((1, "Attente interminable, aucun rendez-vous disponible"));
            texts.push((1, "Attente interminable, aucun rendez-vous disponible"));
            texts.push((2, "Des attentes trop longues au guichet"));
            texts.push((5, "Accueil aimable, démarche rapide"));
            texts.push((4, "Personnel aimable au guichet"));
        }
        // A neutral rating says nothing either way.
        texts.push((3, "Attente correcte"));
        let contrast = contrast(&comments(&texts), 10);
        assert_eq!((contrast.low_comments, contrast.high_comments), (18, 12));
        let low: Vec<&str> = contrast.low_terms.iter().map(|t| t.stem.as_str()).collect();
        let high: Vec<&str> = contrast
            .high_terms
            .iter()
            .map(|t| t.stem.as_str())
            .collect();
        // "attente" and "attentes": one stem, in all 18 low comments, no high one.
        assert_eq!(low[0], "attent");
        let attente = &contrast.low_terms[0];
        assert_eq!((attente.low, attente.high), (18, 0));
        assert_eq!(attente.label, "attente");
        assert_eq!(attente.examples.len(), EXAMPLES);
        assert!(attente.examples[0].contains("Attente"));
        assert_ne!(
            attente.examples[0], attente.examples[1],
            "different comments"
        );
        // Its z: the log-odds ratio over its standard error, with 0.5 added to each count.
        let delta = (18.5f64 / 0.5).ln() - (0.5f64 / 12.5).ln();
        let se = (1.0 / 18.5 + 1.0 / 0.5 + 1.0 / 0.5 + 1.0 / 12.5f64).sqrt();
        assert!((attente.z - delta / se).abs() < 1e-9);
        assert!(high.contains(&"aimabl"), "{high:?}");
        // "guichet" is on both sides: it explains nothing.
        assert!(!low.contains(&"guichet") && !high.contains(&"guichet"));
    }

    #[test]
    fn a_term_of_one_comment_or_without_contrast_is_not_shown() {
        let texts = [
            (1, "Vestiaires sales"),
            (1, "Douches froides"),
            (5, "Très bien"),
            (5, "Parfait"),
        ];
        let contrast = contrast(&comments(&texts), 10);
        assert!(contrast.low_terms.is_empty(), "{:?}", contrast.low_terms);
        assert!(contrast.high_terms.is_empty());
        assert_eq!(super::contrast(&[], 10), Contrast::default());
    }
}
