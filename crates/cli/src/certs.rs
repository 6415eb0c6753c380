//! `lienthong certs dev --out DIR`: a throw-away development PKI; `lienthong certs status`:
//! the certificates a running gateway depends on and when they expire.

use std::process::ExitCode;

/// Arguments of `certs`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Generate the development PKI (DEVELOPMENT ONLY: the keys are not secret).
    #[cfg(feature = "dev")]
    #[command(about = say!("cli-certs-help-dev"))]
    Dev {
        /// Output directory.
        #[arg(long, help = say!("cli-certs-help-out"))]
        out: std::path::PathBuf,
    },
    /// Operators: every certificate a running gateway depends on (its own, its next hops',
    /// its clients') and the days each has left, the one expiring first first.
    #[command(about = say!("cli-certs-help-status"))]
    Status(crate::remote::CertsStatus),
}

/// The README written beside the generated files.
#[cfg(feature = "dev")]
pub(crate) const README: &str = "# certs-dev: DEVELOPMENT ONLY

Everything in this folder is a throw-away public key infrastructure for development,
tests and the demo. **The private keys here are public. Never use them, or anything
signed by them, outside a test machine.** No production certificate or key is ever
committed to this repository.

Regenerate with:

    cargo run --release -- certs dev --out certs-dev

(every key is made fresh at run time: ECDSA P-256 keys by rcgen, and the two RSA-2048
signer keys by the `rsa` crate, because ring cannot generate RSA keys. No key is compiled
into the program.)
Tests that sign with xmlsec1 use these committed files; regenerating changes every
certificate, which is fine: the tests read whatever is here.

| file | what |
|---|---|
| `ca.pem`, `ca.key` | root CA `lienthong DEV Root CA` (valid 2024-01-01 to 2046-01-01) |
| `ca.crl.pem` | the CA's CRL; revokes `signers/revoked.pem` |
| `gateways/ID.pem`, `.key` | gateway certificates: SAN `urn:lienthong:gateway:ID`, DNS `localhost`, IP 127.0.0.1; serverAuth + clientAuth |
| `dms/CODE.pem`, `.key` | DMS client certificates: SAN `urn:lienthong:agency:CODE`; clientAuth |
| `operator/ops.pem`, `.key` | operator client certificate: SAN `urn:lienthong:operator:ops` |
| `monitor/prometheus.pem`, `.key` | monitor client certificate: SAN `urn:lienthong:monitor:prometheus` (reads metrics, the console and reports; acts on nothing; used by `deploy/prometheus/prometheus.yml`) |
| `signers/CODE.pem`, `.key` | document signers (ECDSA P-256): SAN `urn:lienthong:agency:CODE`, digitalSignature + nonRepudiation |
| `signers/CODE-rsa.pem`, `.key` | RSA-2048 document signers for `000.05.21.H50` and `000.00.11.H48` |
| `signers/expired.pem`, `.key` | signer for `000.00.11.H50` that expired on 2025-03-01 |
| `signers/revoked.pem`, `.key` | signer for `000.00.09.H48`, revoked in `ca.crl.pem` |

The federation (gateways and agencies) is defined once in crates/testkit/src/federation.rs.
";

pub(crate) fn run(args: &Args) -> ExitCode {
    match &args.command {
        Command::Status(a) => crate::remote::certs_status(a),
        #[cfg(feature = "dev")]
        Command::Dev { out } => {
            let pki = match lienthong_testkit::pki::DevPki::generate() {
                Ok(p) => p,
                Err(e) => {
                    eprintln!(
                        "{}",
                        say!("cli-certs-generate-failed", error = e.to_string())
                    );
                    return ExitCode::from(2);
                }
            };
            let written = pki
                .write_to(out)
                .and_then(|w| std::fs::write(out.join("README.md"), README).map(|()| w));
            match written {
                Ok(files) => {
                    println!(
                        "{}",
                        say!(
                            "cli-certs-written",
                            dir = out.display().to_string(),
                            count = files.len() + 1
                        )
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!(
                        "{}",
                        say!(
                            "cli-certs-write-failed",
                            dir = out.display().to_string(),
                            error = e.to_string()
                        )
                    );
                    ExitCode::from(2)
                }
            }
        }
    }
}
