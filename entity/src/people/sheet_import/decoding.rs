//! Reading the file's bytes: the encoding (UTF-8, with or without a BOM, or GB18030) and line numbers.

use std::borrow::Cow;

/// Text from UTF-8 (with or without BOM) or, failing that, GBK, which Chinese spreadsheets write.
pub(super) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
    if had_errors {
        return Err("the file is neither UTF-8 nor GBK text; save it as CSV (UTF-8)".to_owned());
    }
    Ok(text)
}

/// Physical line numbers of record starts.
///
/// The csv crate's own `Position::line` is off after blank lines and with CRLF line ends
/// (BurntSushi/rust-csv issues 208 and 395), and Windows spreadsheets write CRLF, so we count.
pub(super) struct LineCounter<'t> {
    pub(super) text: &'t [u8],
    scanned: usize,
    line: usize,
    last_was_cr: bool,
}

impl<'t> LineCounter<'t> {
    pub(super) fn new(text: &'t [u8]) -> Self {
        LineCounter {
            text,
            scanned: 0,
            line: 1,
            last_was_cr: false,
        }
    }

    /// The line of the record the csv reader says starts at `byte`; offsets must not decrease.
    pub(super) fn line_at(&mut self, byte: u64) -> usize {
        // The reported offset can point at the line ends (and blank lines) before the record.
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while let Some(b'\r' | b'\n') = self.text.get(start) {
            start += 1;
        }
        if let Some(unscanned) = self.text.get(self.scanned..start) {
            for &byte in unscanned {
                // CRLF, LF and a lone CR each end one line.
                if byte == b'\r' || (byte == b'\n' && !self.last_was_cr) {
                    self.line += 1;
                }
                self.last_was_cr = byte == b'\r';
            }
            self.scanned = start;
        }
        self.line
    }
}
