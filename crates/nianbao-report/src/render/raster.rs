//! SVG to PNG (charts and drawings for formats that need pixels), with the system's fonts and
//! the bundled CJK subsets.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn font_database(extra_dirs: &[PathBuf]) -> Arc<resvg::usvg::fontdb::Database> {
    static SYSTEM: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    let system = SYSTEM.get_or_init(|| {
        let mut database = resvg::usvg::fontdb::Database::new();
        database.load_system_fonts();
        // The bundled CJK subsets, for machines without a CJK font (system fonts of the same
        // family are found as well; either prints the same glyphs).
        for data in super::BUNDLED_FONTS {
            database.load_font_data(data.to_vec());
        }
        Arc::new(database)
    });
    if extra_dirs.is_empty() {
        return system.clone();
    }
    let mut database = (**system).clone();
    for dir in extra_dirs {
        database.load_fonts_dir(dir);
    }
    Arc::new(database)
}

/// Rasterises an SVG to PNG at `scale` times its size (2 gives crisp print at 150 mm).
pub fn svg_to_png(svg: &str, scale: f32, font_dirs: &[PathBuf]) -> Result<Vec<u8>, String> {
    let options = resvg::usvg::Options { fontdb: font_database(font_dirs), ..resvg::usvg::Options::default() };
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| format!("invalid SVG: {e}"))?;
    let size = tree.size().to_int_size().scale_by(scale).ok_or("the image is too large")?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("the image has no area")?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("cannot encode PNG: {e}"))
}
