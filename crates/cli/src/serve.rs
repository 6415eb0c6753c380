//! `lienthong serve --config FILE [--log-format text|json]`: run one gateway.
//!
//! The configuration is read and checked completely before any port is bound; a bad
//! configuration exits 2 with every problem listed. SIGHUP re-reads the TLS certificates
//! and keys (a bad new certificate keeps the old one, and says why); SIGINT and SIGTERM
//! stop the gateway.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The gateway configuration (TOML).
    #[arg(long, help = say!("cli-serve-help-config"))]
    config: PathBuf,
    /// Log format.
    #[arg(long, value_enum, default_value = "text", help = say!("cli-serve-help-log-format"))]
    log_format: LogFormat,
    /// Check the configuration and every key, certificate and CRL it names, then exit.
    #[arg(long, help = say!("cli-serve-help-check"))]
    check: bool,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// Human-readable lines.
    #[value(help = say!("cli-serve-help-log-text"))]
    Text,
    /// One JSON object per line.
    #[value(help = say!("cli-serve-help-log-json"))]
    Json,
}

/// Install the tracing subscriber (level from `RUST_LOG`, default info).
pub(crate) fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

pub(crate) fn run(args: &Args) -> ExitCode {
    init_logs(args.log_format);
    let lang = crate::text::lang();
    let validated = match lienthong_gateway::Config::load(&args.config) {
        Ok(v) => v,
        Err(e) => {
            eprintln!(
                "{}",
                say!("cli-serve-error", message = e.msg().render(lang))
            );
            return ExitCode::from(2);
        }
    };
    if args.check {
        // Every key, certificate and CRL is read and checked as a start would.
        if let Err(e) = lienthong_gateway::server::load_keys(
            &validated,
            lienthong_types::Clock::now(&lienthong_types::SystemClock),
        ) {
            eprintln!(
                "{}",
                say!(
                    "cli-serve-error",
                    message = format!("{}: {}", args.config.display(), e.msg().render(lang))
                )
            );
            return ExitCode::from(2);
        }
        println!(
            "{}",
            say!(
                "cli-serve-config-valid",
                file = args.config.display().to_string(),
                gateway = validated.id.to_string()
            )
        );
        for w in &validated.warning_msgs {
            println!("{}", say!("cli-serve-warning", message = w.render(lang)));
        }
        return ExitCode::SUCCESS;
    }
    for w in &validated.warnings {
        tracing::warn!(config = %args.config.display(), "{w}");
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{}", say!("cli-serve-no-runtime", error = e.to_string()));
            return ExitCode::from(2);
        }
    };
    rt.block_on(async move {
        let gateway = match lienthong_gateway::start(validated).await {
            Ok(g) => g,
            Err(e) => {
                eprintln!("{}", say!("cli-serve-error", message = e.msg().render(lang)));
                return ExitCode::from(2);
            }
        };
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut hup), Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::hangup()),
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                eprintln!("{}", say!("cli-serve-no-signals"));
                return ExitCode::from(2);
            };
            loop {
                tokio::select! {
                    _ = hup.recv() => {
                        match gateway.reload_tls() {
                            Ok(()) => tracing::info!("SIGHUP: TLS and receipt-signing certificates and keys reloaded"),
                            Err(e) => tracing::error!(error = %e, "SIGHUP: reload failed; the old certificates stay in use"),
                        }
                        match lienthong_gateway::Config::load(&args.config) {
                            Ok(v) => {
                                match gateway.reload_directory(&v) {
                                    Ok(what) => tracing::info!("SIGHUP: directory reloaded: {what}"),
                                    Err(e) => tracing::error!(error = %e, "SIGHUP: directory not reloaded; the old one stays in use"),
                                }
                                match gateway.reload_vxp(&v) {
                                    Ok(what) => tracing::info!("SIGHUP: VXP systems reloaded: {what}"),
                                    Err(e) => tracing::error!(error = %e, "SIGHUP: VXP systems not reloaded; the old ones stay in use"),
                                }
                            }
                            Err(e) => tracing::error!(error = %e, "SIGHUP: the configuration is not valid; the old directory stays in use"),
                        }
                    }
                    _ = term.recv() => break,
                    _ = int.recv() => break,
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("stopping");
        gateway.shutdown().await;
        ExitCode::SUCCESS
    })
}
