//! `lienthong sign --key KEY --cert CERT [--chain CERT…] IN [-o OUT]`: signs, says where the
//! signed file went, and warns of what a gateway would refuse it for (an expired
//! certificate, another agency's certificate).

use std::path::PathBuf;
use std::process::ExitCode;

use lienthong_dsig::{
    ExpectedAgency, Placement, Policy, Profile, SigningKey, TrustStore, certs_from_pem,
    sign_enveloped, verify,
};
use lienthong_types::{Clock, Code};

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
        })?,
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(&signed)
                .map_err(|e| e.to_string())?;
        }
    }
    let info = chain
        .first()
        .and_then(|c| lienthong_dsig::cert_info(c.as_ref()).ok());
    let signer = info
        .as_ref()
        .map_or_else(String::new, |i| i.subject.clone());
    let lang = crate::text::lang();
    let now = lienthong_types::SystemClock.now();
    match &args.output {
        Some(p) => eprintln!(
            "{}",
            say!(
                "cli-sign-written",
                file = p.display().to_string(),
                signer = signer
            )
        ),
        None => eprintln!("{}", say!("cli-sign-written-stdout", signer = signer)),
    }
    let mut problems = info.map(|i| validity(&i, now)).unwrap_or_default();
    problems.extend(refusals(&signed, now));
    for problem in problems {
        eprintln!(
            "{}",
            say!("cli-sign-warning", problem = problem.render(lang))
        );
    }
    Ok(())
}

/// The signer's certificate is not valid now: expired, or not valid yet.
fn validity(
    info: &lienthong_dsig::CertInfo,
    now: lienthong_types::Timestamp,
) -> Vec<lienthong_i18n::Msg> {
    let now = lienthong_dsig::time::format_rfc3339(now.as_millis() / 1000);
    let date = |t: &str| crate::verify_pdf::time_text(t);
    if info.not_after < now {
        vec![lienthong_i18n::msg!(
            "cli-sign-cert-expired",
            date = date(&info.not_after)
        )]
    } else if info.not_before > now {
        vec![lienthong_i18n::msg!(
            "cli-sign-cert-not-yet",
            date = date(&info.not_before)
        )]
    } else {
        Vec::new()
    }
}

/// What a gateway would hold against the signed file, as far as the file and the signer's
/// certificate tell without trust anchors: an expired or not yet valid certificate, a
/// certificate of another agency than the one the document says it is from.
fn refusals(signed: &[u8], now: lienthong_types::Timestamp) -> Vec<lienthong_i18n::Msg> {
    let Ok(doc) = lienthong_xml::Document::parse(signed) else {
        return Vec::new();
    };
    let edxml = doc.root_element().namespace() == Some(lienthong_edxml::EDXML_NS);
    let expected_agency = if edxml {
        lienthong_edxml::from_document(&doc, signed).ok().map(|p| {
            let from = p.package.from();
            ExpectedAgency {
                code: from.organ_id.clone(),
                name: from.organ_name.clone(),
                other_codes: Vec::new(),
            }
        })
    } else {
        None
    };
    let trust = TrustStore::new();
    let policy = Policy {
        trust: &trust,
        at: lienthong_dsig::unix_time(now.as_millis() / 1000),
        expected_agency,
    };
    let profile = if edxml {
        Profile::edxml()
    } else {
        Profile::whole_document()
    };
    let report = verify(&doc, &profile, &policy);
    report
        .problem_codes
        .iter()
        .zip(report.problem_msgs)
        // Whom to trust is the gateway's to know, not the signer's.
        .filter(|(c, _)| **c != Code::CertNoTrustRoots)
        .map(|(_, m)| m)
        .collect()
}
