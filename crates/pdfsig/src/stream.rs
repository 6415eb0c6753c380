//! Stream filters the verifier needs (for xref and object streams): FlateDecode with PNG
//! and TIFF-less predictors, inflated against a byte budget so a compression bomb stops at
//! the budget, not at the memory's end.

use flate2::{Decompress, FlushDecompress, Status};

use crate::error::PdfError;
use crate::object::{Dict, Obj};

/// Decode `raw` by the stream dictionary's filters, spending at most `budget` bytes.
pub(crate) fn decode(
    d: &Dict,
    raw: &[u8],
    budget: &mut usize,
    at: usize,
) -> Result<Vec<u8>, PdfError> {
    let filters: Vec<&[u8]> = match d.get(b"Filter") {
        None => Vec::new(),
        Some(Obj::Name(n)) => vec![n.as_slice()],
        Some(Obj::Array(a)) => a
            .iter()
            .map(|o| match o {
                Obj::Name(n) => Ok(n.as_slice()),
                _ => Err(PdfError::syntax("a /Filter array of non-names", at)),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(PdfError::syntax("a /Filter that is not a name", at)),
    };
    let parms = match d.get(b"DecodeParms") {
        Some(Obj::Dict(p)) => Some(p.clone()),
        Some(Obj::Array(a)) => a.first().and_then(Obj::as_dict).cloned(),
        _ => None,
    };
    match filters.as_slice() {
        [] => {
            if raw.len() > *budget {
                return Err(PdfError::limit("a stream larger than the budget", Some(at)));
            }
            *budget -= raw.len();
            Ok(raw.to_vec())
        }
        [b"FlateDecode"] | [b"Fl"] => {
            let out = inflate(raw, budget, at)?;
            match parms {
                Some(p) => predict(&p, out, at),
                None => Ok(out),
            }
        }
        other => Err(PdfError::syntax(
            format!(
                "a filter the verifier does not read in structural streams: {}",
                other
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            at,
        )),
    }
}

fn inflate(raw: &[u8], budget: &mut usize, at: usize) -> Result<Vec<u8>, PdfError> {
    let mut z = Decompress::new(true);
    let mut out: Vec<u8> =
        Vec::with_capacity(raw.len().saturating_mul(4).min(*budget).min(1 << 20));
    loop {
        if out.len() == out.capacity() {
            if out.len() >= *budget {
                return Err(PdfError::limit(
                    format!(
                        "a stream inflates past {} bytes (a compression bomb?)",
                        *budget
                    ),
                    Some(at),
                ));
            }
            let grow = out.len().max(64 << 10).min(*budget - out.len());
            out.reserve_exact(grow);
        }
        let before_in = z.total_in();
        let before_out = z.total_out();
        let input = raw
            .get(usize::try_from(z.total_in()).unwrap_or(usize::MAX)..)
            .unwrap_or_default();
        let status = z
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|e| PdfError::syntax(format!("a compressed stream is damaged: {e}"), at))?;
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                if z.total_in() == before_in
                    && z.total_out() == before_out
                    && out.len() < out.capacity()
                {
                    // no progress with room to write: the input ended early
                    if input.is_empty() {
                        break;
                    }
                    return Err(PdfError::syntax("a compressed stream is truncated", at));
                }
            }
        }
    }
    *budget -= out.len().min(*budget);
    Ok(out)
}

fn predict(p: &Dict, data: Vec<u8>, at: usize) -> Result<Vec<u8>, PdfError> {
    let predictor = p.int(b"Predictor").unwrap_or(1);
    if predictor < 10 {
        return if predictor == 1 {
            Ok(data)
        } else {
            Err(PdfError::syntax(
                "a TIFF predictor in a structural stream",
                at,
            ))
        };
    }
    let colors = p.int(b"Colors").unwrap_or(1);
    let bpc = p.int(b"BitsPerComponent").unwrap_or(8);
    let columns = p.int(b"Columns").unwrap_or(1);
    let bpp_bits = colors
        .checked_mul(bpc)
        .filter(|v| (1..=256).contains(v))
        .ok_or_else(|| PdfError::syntax("bad predictor parameters", at))?;
    let row_bits = bpp_bits
        .checked_mul(columns)
        .filter(|v| (1..=1 << 24).contains(v))
        .ok_or_else(|| PdfError::syntax("bad predictor parameters", at))?;
    let bpp = usize::try_from((bpp_bits + 7) / 8).unwrap_or(1);
    let row = usize::try_from((row_bits + 7) / 8).unwrap_or(1);
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        let (Some(&kind), Some(src)) = (chunk.first(), chunk.get(1..)) else {
            break;
        };
        let mut cur = vec![0u8; row];
        for i in 0..src.len().min(row) {
            let a = if i >= bpp { cur[i - bpp] } else { 0 };
            let b = prev[i];
            let c = if i >= bpp { prev[i - bpp] } else { 0 };
            let x = src[i];
            cur[i] = match kind {
                0 => x,
                1 => x.wrapping_add(a),
                2 => x.wrapping_add(b),
                3 => x.wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                4 => x.wrapping_add(paeth(a, b, c)),
                _ => return Err(PdfError::syntax("an unknown PNG predictor row type", at)),
            };
        }
        out.extend_from_slice(&cur[..src.len().min(row)]);
        prev = cur;
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn deflate(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    fn flate_dict() -> Dict {
        Dict(vec![(
            b"Filter".to_vec(),
            Obj::Name(b"FlateDecode".to_vec()),
        )])
    }

    #[test]
    fn inflates_within_budget_and_stops_a_bomb() {
        let z = deflate(b"hello hello hello");
        let mut budget = 1000;
        assert_eq!(
            decode(&flate_dict(), &z, &mut budget, 0).unwrap(),
            b"hello hello hello"
        );
        assert_eq!(budget, 1000 - 17);
        let bomb = deflate(&vec![0u8; 10 << 20]);
        let mut budget = 1 << 20;
        let e = decode(&flate_dict(), &bomb, &mut budget, 7).unwrap_err();
        assert_eq!(e.code, lienthong_types::Code::PdfTooComplex);
        assert_eq!(e.at, Some(7));
        let mut budget = 1000;
        let e = decode(&flate_dict(), b"not zlib", &mut budget, 0).unwrap_err();
        assert_eq!(e.code, lienthong_types::Code::PdfUnreadable);
    }

    #[test]
    fn undoes_png_up_prediction() {
        // two rows of 3 columns, "up" filter (2): second row adds to the first
        let raw = [2u8, 1, 2, 3, 2, 1, 1, 1];
        let mut d = flate_dict();
        d.0.push((
            b"DecodeParms".to_vec(),
            Obj::Dict(Dict(vec![
                (b"Predictor".to_vec(), Obj::Int(12)),
                (b"Columns".to_vec(), Obj::Int(3)),
            ])),
        ));
        let mut budget = 1000;
        assert_eq!(
            decode(&d, &deflate(&raw), &mut budget, 0).unwrap(),
            vec![1, 2, 3, 2, 3, 4]
        );
    }
}
