//! `lienthong sign --key KEY --cert CERT [--chain CERT…] IN [-o OUT]`.

use std::path::PathBuf;
use std::process::ExitCode;

use lienthong_dsig::{Placement, SigningKey, certs_from_pem, sign_enveloped};

/// Arguments of `sign`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The signer's private key (PKCS#8 PEM).
    #[arg(long, help = say!("cli-sign-help-key"))]
    key: PathBuf,
    /// The signer's certificate (PEM).
    #[arg(long, help = say!("cli-sign-help-cert"))]
    cert: PathBuf,
    /// Intermediate certificates to include (PEM), repeatable.
    #[arg(long, help = say!("cli-sign-help-chain"))]
    chain: Vec<PathBuf>,
    /// The file to sign.
    #[arg(help = say!("cli-sign-help-input"))]
    input: PathBuf,
    /// Where to write the signed file (default: standard output).
    #[arg(short, long, help = say!("cli-sign-help-output"))]
    output: Option<PathBuf>,
}

fn read(p: &PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(p).map_err(|e| {
        say!(
            "cli-sign-cannot-read",
            file = p.display().to_string(),
            error = e.to_string()
        )
    })
}

pub(crate) fn run(args: &Args) -> ExitCode {
    match sign(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", say!("cli-sign-error", message = e));
            ExitCode::from(2)
        }
    }
}

fn sign(args: &Args) -> Result<(), String> {
    let key = SigningKey::from_pem(&read(&args.key)?)
        .map_err(|e| format!("{}: {e}", args.key.display()))?;
    let mut chain =
        certs_from_pem(&read(&args.cert)?).map_err(|e| format!("{}: {e}", args.cert.display()))?;
    for c in &args.chain {
        chain.extend(certs_from_pem(&read(c)?).map_err(|e| format!("{}: {e}", c.display()))?);
    }
    let input = read(&args.input)?;
    // edXML documents carry the signature in edXMLHeader, as the national SDK places it.
    let doc = lienthong_xml::Document::parse(&input)
        .map_err(|e| format!("{}: {e}", args.input.display()))?;
    let placement = if doc.root_element().namespace() == Some(lienthong_edxml::EDXML_NS) {
        Placement::LastChildOf {
            namespace: lienthong_edxml::EDXML_NS.into(),
            local: "edXMLHeader".into(),
        }
    } else {
        Placement::RootLastChild
    };
    let signed = sign_enveloped(&input, &key, &chain, &placement)
        .map_err(|e| format!("{}: {e} [{}]", args.input.display(), e.code()))?;
    match &args.output {
        Some(p) => std::fs::write(p, &signed).map_err(|e| {
            say!(
                "cli-sign-cannot-write",
                file = p.display().to_string(),
                error = e.to_string()
            )
        }),
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(&signed)
                .map_err(|e| e.to_string())
        }
    }
}
