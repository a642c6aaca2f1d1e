//! Strips metadata from uploaded photos before they are stored. A phone's photo of a resident's
//! good deed carries EXIF: the GPS position of where it was taken (often the resident's home),
//! the time, the phone's make and serial number. None of it is needed to judge a claim.
//!
//! The image data itself is copied byte for byte (nothing is decoded or re-encoded). JPEG keeps
//! the segments needed to display it (tables, frame, scan, JFIF, the ICC colour profile, Adobe's
//! colour transform) and loses every other application segment and comment; its orientation,
//! the one EXIF field that changes how it displays, is written back as a minimal EXIF block of
//! that single tag. PNG keeps its critical chunks and the ones about colour, transparency,
//! pixel size and animation, and loses text, EXIF, time and private chunks.

use crate::claims::PhotoKind;

/// The photo is not a well-formed JPEG or PNG after all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the image is not well-formed")]
pub struct Malformed;

/// The photo without its metadata.
pub fn strip(kind: PhotoKind, bytes: &[u8]) -> Result<Vec<u8>, Malformed> {
    match kind {
        PhotoKind::Jpeg => strip_jpeg(bytes),
        PhotoKind::Png => strip_png(bytes),
    }
}

fn strip_jpeg(bytes: &[u8]) -> Result<Vec<u8>, Malformed> {
    if bytes.get(..2) != Some(&[0xFF, 0xD8]) {
        return Err(Malformed);
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    // Where the orientation block goes: after JFIF if the file starts with it, else after SOI.
    let mut orientation_at = out.len();
    let mut orientation = None;
    let mut pos = 2;
    loop {
        if bytes.get(pos) != Some(&0xFF) {
            return Err(Malformed);
        }
        // Fill bytes before a marker.
        while bytes.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let marker = *bytes.get(pos + 1).ok_or(Malformed)?;
        match marker {
            // End of image before any scan.
            0xD9 => return Err(Malformed),
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                pos += 2;
                continue;
            }
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(pos + 2).ok_or(Malformed)?,
            *bytes.get(pos + 3).ok_or(Malformed)?,
        ]));
        if len < 2 {
            return Err(Malformed);
        }
        let end = pos + 2 + len;
        let segment = bytes.get(pos..end).ok_or(Malformed)?;
        let payload = &segment[4..];
        match marker {
            // Start of scan: the rest is image data (and, in progressive files, more tables and
            // scans), copied as it is.
            0xDA => {
                out.extend_from_slice(&bytes[pos..]);
                break;
            }
            // JFIF/JFXX.
            0xE0 => {
                out.extend_from_slice(segment);
                if orientation_at == 2 {
                    orientation_at = out.len();
                }
            }
            // EXIF (and XMP): only the orientation survives.
            0xE1 => {
                if let Some(value) = payload.strip_prefix(b"Exif\0\0").and_then(exif_orientation) {
                    orientation = Some(value);
                }
            }
            // ICC colour profile (APP2) and Adobe's colour transform (APP14).
            0xE2 | 0xEE => out.extend_from_slice(segment),
            // Every other application segment (IPTC, maker notes, ...) and comments.
            0xE3..=0xED | 0xEF | 0xFE => {}
            // Tables, frame headers, restart interval: the image needs them.
            _ => out.extend_from_slice(segment),
        }
        pos = end;
    }
    if let Some(value) = orientation.filter(|v| (2..=8).contains(v)) {
        let block = orientation_block(value);
        out.splice(orientation_at..orientation_at, block);
    }
    Ok(out)
}

/// The orientation tag (0x0112) of a TIFF-structured EXIF payload's first directory.
fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let big = match tiff.get(..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b = tiff.get(at..at + 2)?;
        Some(if big {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b = tiff.get(at..at + 4)?;
        Some(if big {
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        } else {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        })
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let entries = usize::from(u16_at(ifd)?);
    (0..entries.min(512)).find_map(|i| {
        let entry = ifd + 2 + i * 12;
        (u16_at(entry)? == 0x0112 && u16_at(entry + 2)? == 3).then(|| u16_at(entry + 8))?
    })
}

/// An APP1 segment holding EXIF with the orientation tag alone.
fn orientation_block(value: u16) -> Vec<u8> {
    let mut payload = Vec::with_capacity(32);
    payload.extend_from_slice(b"Exif\0\0");
    payload.extend_from_slice(b"MM\0\x2A\0\0\0\x08"); // big-endian TIFF, IFD0 at offset 8
    payload.extend_from_slice(&1u16.to_be_bytes()); // one entry
    payload.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    payload.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    payload.extend_from_slice(&1u32.to_be_bytes()); // one value
    payload.extend_from_slice(&value.to_be_bytes());
    payload.extend_from_slice(&[0, 0]);
    payload.extend_from_slice(&0u32.to_be_bytes()); // no next directory
    let len = u16::try_from(payload.len() + 2).unwrap_or(u16::MAX);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&len.to_be_bytes());
    segment.extend_from_slice(&payload);
    segment
}

/// Ancillary PNG chunks that affect how the image looks (or moves); everything else ancillary
/// (tEXt, zTXt, iTXt, eXIf, tIME, private chunks) goes.
const PNG_KEPT: [&[u8; 4]; 14] = [
    b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"bKGD", b"hIST", b"cICP",
    b"mDCV", b"cLLI", b"acTL", b"fcTL",
];

fn strip_png(bytes: &[u8]) -> Result<Vec<u8>, Malformed> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    if bytes.get(..8) != Some(&SIGNATURE) {
        return Err(Malformed);
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&SIGNATURE);
    let mut pos = 8;
    loop {
        let head = bytes.get(pos..pos + 8).ok_or(Malformed)?;
        let len = usize::try_from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]))
            .map_err(|_| Malformed)?;
        let kind: [u8; 4] = [head[4], head[5], head[6], head[7]];
        let end = pos
            .checked_add(12)
            .and_then(|p| p.checked_add(len))
            .ok_or(Malformed)?;
        let chunk = bytes.get(pos..end).ok_or(Malformed)?;
        // Critical chunks have an upper-case first letter; fdAT carries animation frames.
        let critical = kind[0].is_ascii_uppercase();
        if critical || &kind == b"fdAT" || PNG_KEPT.contains(&&kind) {
            out.extend_from_slice(chunk);
        }
        pos = end;
        if &kind == b"IEND" {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    /// EXIF with orientation 6 and a GPS directory pointer, little-endian like most phones.
    fn exif_with_gps() -> Vec<u8> {
        let mut tiff = b"II\x2A\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&0x0112u16.to_le_bytes());
        tiff.extend_from_slice(&3u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&6u16.to_le_bytes());
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&0x8825u16.to_le_bytes()); // GPSInfo
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&38u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(b"GPS 34.05N 111.03E HOME");
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        payload
    }

    fn jpeg() -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        j.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        j.extend(segment(0xE1, &exif_with_gps()));
        j.extend(segment(
            0xE1,
            b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Lushi</x:xmpmeta>",
        ));
        j.extend(segment(0xED, b"Photoshop 3.0\0IPTC city Lushi"));
        j.extend(segment(0xFE, b"taken at home"));
        j.extend(segment(0xDB, &[0u8; 65]));
        j.extend(segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
        j.extend(segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
        j.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]);
        j
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn jpeg_metadata_goes_and_the_image_and_its_orientation_stay() {
        let original = jpeg();
        let clean = strip(PhotoKind::Jpeg, &original).unwrap();
        for gone in [&b"GPS"[..], b"Lushi", b"taken at home", b"xmpmeta"] {
            assert!(!contains(&clean, gone), "{}", String::from_utf8_lossy(gone));
        }
        assert!(contains(&clean, b"JFIF"));
        // The scan and everything after it is untouched.
        let scan = original.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        assert!(clean.ends_with(&original[scan..]));
        // Orientation 6 survives in a block of its own, right after JFIF.
        let exif_at = clean.windows(6).position(|w| w == b"Exif\0\0").unwrap();
        assert_eq!(exif_orientation(&clean[exif_at + 6..]), Some(6));
        assert_eq!(&clean[2..4], [0xFF, 0xE0]);
        // Stripping again changes nothing.
        assert_eq!(strip(PhotoKind::Jpeg, &clean).unwrap(), clean);
    }

    #[test]
    fn truncated_or_scanless_jpegs_are_malformed() {
        let j = jpeg();
        assert_eq!(strip(PhotoKind::Jpeg, &j[..20]), Err(Malformed));
        assert_eq!(
            strip(PhotoKind::Jpeg, &[0xFF, 0xD8, 0xFF, 0xD9]),
            Err(Malformed)
        );
        assert_eq!(
            strip(PhotoKind::Jpeg, &[0xFF, 0xD8, 0xFF, 0xE0, 0x00]),
            Err(Malformed)
        );
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    }

    #[test]
    fn png_text_and_exif_go_and_colour_stays() {
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]));
        png.extend(chunk(b"sRGB", &[0]));
        png.extend(chunk(b"tEXt", b"Location\0Lushi"));
        png.extend(chunk(b"eXIf", b"MM\0\x2AGPS"));
        png.extend(chunk(b"tIME", &[7, 234, 12, 2, 10, 0, 0]));
        png.extend(chunk(b"IDAT", &[1, 2, 3]));
        png.extend(chunk(b"IEND", &[]));
        let clean = strip(PhotoKind::Png, &png).unwrap();
        assert!(
            !contains(&clean, b"Lushi") && !contains(&clean, b"GPS") && !contains(&clean, b"tIME")
        );
        assert!(
            contains(&clean, b"sRGB")
                && contains(&clean, b"IDAT")
                && clean.ends_with(&chunk(b"IEND", &[]))
        );
        assert_eq!(strip(PhotoKind::Png, &png[..30]), Err(Malformed));
    }
}
