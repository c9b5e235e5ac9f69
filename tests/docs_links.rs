//! Every relative link in the README and docs/ leads somewhere: the file exists and, where the
//! link names a heading (`#anchor`), the file has that heading. The README sends readers to
//! docs/ for everything it leaves out, so a broken link loses that text for them.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files whose links are checked: the README and every file in docs/.
fn documents() -> Vec<PathBuf> {
    let mut docs = vec![root().join("README.md"), root().join("CHANGELOG.md")];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            docs.push(path);
        }
    }
    docs.sort();
    docs
}

/// The lines of `text` outside fenced code blocks, with inline code spans removed: a link
/// shown as code is not a link.
fn prose_lines(text: &str) -> Vec<String> {
    let mut in_fence = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let mut out = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                out.push_str(part);
            }
        }
        lines.push(out);
    }
    lines
}

/// The targets of the inline links `[text](target)` and images `![alt](target)` in `line`.
fn link_targets(line: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let Some(end) = after.find(')') else { break };
        targets.push(after[..end].trim().to_string());
        rest = &after[end..];
    }
    targets
}

/// GitHub's anchor for a heading: lower case, letters, digits, `-` and `_` kept, spaces made
/// `-`, everything else dropped.
fn slug(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The anchors `file`'s headings give, `-1`, `-2` … added to repeated ones as GitHub does.
fn anchors(file: &Path) -> HashSet<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut seen = HashSet::new();
    for line in text.lines().filter(|l| l.starts_with('#')) {
        let heading = line.trim_start_matches('#').trim().replace('`', "");
        let base = slug(&heading);
        let mut anchor = base.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

/// Where each relative link in `doc` fails to lead, as "doc: target (why)".
fn broken_links(doc: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(doc).unwrap();
    let mut broken = Vec::new();
    for target in prose_lines(&text).iter().flat_map(|l| link_targets(l)) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (path, anchor) = match target.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (target.as_str(), None),
        };
        let file = if path.is_empty() {
            doc.to_path_buf()
        } else {
            doc.parent().unwrap().join(path)
        };
        let name = doc
            .strip_prefix(root())
            .unwrap_or(doc)
            .display()
            .to_string();
        if !file.exists() {
            broken.push(format!("{name}: {target} (no such file)"));
        } else if let Some(anchor) = anchor
            && file.extension().is_some_and(|e| e == "md")
            && !anchors(&file).contains(anchor)
        {
            broken.push(format!("{name}: {target} (no such heading)"));
        }
    }
    broken
}

#[test]
fn every_relative_link_in_the_readme_and_docs_resolves() {
    let docs = documents();
    assert!(
        docs.len() >= 3,
        "expected the README, the CHANGELOG and docs/: {docs:?}"
    );
    let broken: Vec<String> = docs.iter().flat_map(|d| broken_links(d)).collect();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The checker itself finds what it must: a missing file, a missing heading, and passes a
/// good link, a heading with punctuation and code, a repeated heading and a link in code.
#[test]
fn the_checker_tells_broken_links_from_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("other.md"),
        "# Security: what `serve` may cost\n## Notes\n## Notes\n",
    )
    .unwrap();
    let doc = dir.path().join("doc.md");
    std::fs::write(
        &doc,
        "[a](other.md#security-what-serve-may-cost) [b](other.md#notes-1) [c](#top)\n\
         # Top\n[d](missing.md) [e](other.md#nowhere) `[f](ignored.md)`\n\
         ```\n[g](also-ignored.md)\n```\n[h](https://example.invalid/x)\n",
    )
    .unwrap();
    let broken: Vec<String> = broken_links(&doc)
        .into_iter()
        .map(|b| b.rsplit(": ").next().unwrap().to_string())
        .collect();
    assert_eq!(
        broken,
        [
            "missing.md (no such file)",
            "other.md#nowhere (no such heading)"
        ]
    );
}
