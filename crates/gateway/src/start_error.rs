//! What a gateway that cannot start says to the operator, in either language (the
//! `Display` of [`StartError`] is its English).

use lienthong_i18n::{Msg, msg};

use crate::server::StartError;

impl StartError {
    /// The error for people, in any language (`Display` is its English); the causes, from
    /// the key, certificate and store libraries, stay as written.
    pub fn msg(&self) -> Msg {
        match self {
            StartError::Tls(d) => msg!("config-start-tls", detail = d),
            StartError::Keys(d) => msg!("config-start-keys", detail = d),
            StartError::Store(d) => msg!("config-start-store", detail = d),
            StartError::Config(d) => msg!("config-start-config", detail = d),
            StartError::Bind { addr, source } => msg!(
                "config-start-bind",
                addr = addr.to_string(),
                error = source.to_string()
            ),
        }
    }
}
