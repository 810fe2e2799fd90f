//! The frameworks, datasets and report templates (with their content and photos) the binary
//! carries, so that it works from any directory: a default relative path that is not found from
//! the working directory is served from the bundled copy; an explicit path that exists always wins.

use std::path::{Path, PathBuf};

macro_rules! bundled {
    ($path:literal) => {
        ($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../", $path)) as &[u8])
    };
}

/// Every bundled file, by its path relative to the repository root.
const FILES: &[(&str, &[u8])] = &[
    bundled!("datasets/ganzhou-sample/dataset.toml"),
    bundled!("datasets/ganzhou-sample/orgs.csv"),
    bundled!("datasets/ganzhou-sample/values.csv"),
    bundled!("datasets/ganzhou/dataset.toml"),
    bundled!("datasets/ganzhou/orgs.csv"),
    bundled!("datasets/ganzhou/values.csv"),
    bundled!("frameworks/zhongzhi-2024.toml"),
    bundled!("reports/city/content.toml"),
    bundled!("reports/city/template.md"),
    bundled!("reports/county/content.toml"),
    bundled!("reports/county/template.md"),
    bundled!("reports/ganzhou-2024/content.toml"),
    bundled!("reports/ganzhou-2024/photos/photo-01.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-02.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-03.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-04.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-05.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-06.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-07.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-08.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-09.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-10.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-11.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-12.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-13.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-14.svg"),
    bundled!("reports/ganzhou-2024/photos/photo-15.svg"),
    bundled!("reports/ganzhou-2024/template.md"),
    bundled!("reports/province/content.toml"),
    bundled!("reports/province/template.md"),
    bundled!("reports/school/content.toml"),
    bundled!("reports/school/template.md"),
];

/// `path` itself when it exists (or is absolute); otherwise, when it names a bundled file or
/// folder, that file or folder extracted (once per build of the binary) into the temp directory.
pub fn resolve(path: &Path) -> PathBuf {
    if path.exists() || path.is_absolute() {
        return path.to_path_buf();
    }
    let wanted = path.to_string_lossy().replace('\\', "/");
    let wanted = wanted.trim_start_matches("./").trim_end_matches('/');
    let bundled = FILES.iter().any(|(name, _)| *name == wanted || name.starts_with(&format!("{wanted}/")));
    if !bundled {
        return path.to_path_buf();
    }
    match extracted() {
        Ok(root) => root.join(wanted),
        Err(_) => path.to_path_buf(),
    }
}

/// The folder holding the extracted bundle (written on first use, atomically per file).
fn extracted() -> std::io::Result<PathBuf> {
    let size: usize = FILES.iter().map(|(_, bytes)| bytes.len()).sum();
    let root = std::env::temp_dir().join(format!("nianbao-bundled-{}-{size}", env!("CARGO_PKG_VERSION")));
    for (name, bytes) in FILES {
        let target = root.join(name);
        if std::fs::metadata(&target).is_ok_and(|m| m.len() == bytes.len() as u64) {
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let partial = target.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&partial, bytes)?;
        std::fs::rename(&partial, &target)?;
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_default_path_is_served_from_the_bundle_and_an_existing_one_wins() {
        let dir = tempfile::tempdir().expect("temp dir");
        let original = std::env::current_dir().expect("cwd");
        let resolved = resolve(Path::new("frameworks/zhongzhi-2024.toml"));
        assert!(resolved.exists(), "{}", resolved.display());
        let text = std::fs::read_to_string(&resolved).expect("bundled framework");
        assert!(text.contains("zhongzhi-2024"));
        let folder = resolve(Path::new("datasets/ganzhou-sample"));
        assert!(folder.join("values.csv").exists() && folder.join("orgs.csv").exists());
        let own = dir.path().join("mine.toml");
        std::fs::write(&own, "x").expect("write");
        assert_eq!(resolve(&own), own, "an explicit path wins");
        assert_eq!(resolve(Path::new("no/such/file")), PathBuf::from("no/such/file"));
        assert_eq!(std::env::current_dir().expect("cwd"), original);
    }
}
