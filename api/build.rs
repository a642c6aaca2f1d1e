//! Embeds the console's build (`console/dist/`, committed) in the binary: a table of every file
//! with its content type and a gzip copy, so `api` serves `/console/` and `/kiosk/` on a machine
//! without Node.js.

use std::{
    env, fs,
    io::Write,
    path::{Path, PathBuf},
};

use flate2::{Compression, write::GzEncoder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../console/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let mut files = Vec::new();
    // dist/ is committed: without it the binary would serve no console, which must not pass silently.
    collect(&dist, &dist, &mut files).map_err(|e| {
        format!(
            "reading {}: {e} (run `npm ci && npm run build` in console/)",
            dist.display()
        )
    })?;
    files.sort();
    let mut table = String::from("&[\n");
    for relative in &files {
        let source = dist.join(relative);
        let bytes = fs::read(&source)?;
        let gz_name = format!("console-{}.gz", relative.replace('/', "__"));
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&bytes)?;
        fs::write(out.join(&gz_name), gz.finish()?)?;
        table.push_str(&format!(
            "    ({relative:?}, {ctype:?}, include_bytes!({source:?}), include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{gz_name}\"))),\n",
            ctype = content_type(relative),
            source = source.canonicalize()?,
        ));
    }
    table.push(']');
    fs::write(out.join("console_files.rs"), table)?;
    Ok(())
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            files.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
