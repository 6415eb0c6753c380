//! The connected VXP systems as the listener uses them: each one's secrets (read from their
//! files at start and at every reload, never logged) and agencies. A reload replaces the
//! whole set at once; a request reads it once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use lienthong_edxml::AgencyCode;
use lienthong_vxp::auth::Secrets;

use crate::config::SignaturePolicy;
use crate::config::vxp::{VxpSection, read_secret};

/// One connected system.
pub struct System {
    /// Its `systemid`.
    pub id: String,
    current: Vec<u8>,
    previous: Option<Vec<u8>>,
    /// The agencies it sends as and receives for, as configured.
    pub agencies: Vec<AgencyCode>,
    /// Its signature policy.
    pub policy: SignaturePolicy,
}

impl std::fmt::Debug for System {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secrets.
        f.debug_struct("System")
            .field("id", &self.id)
            .field("agencies", &self.agencies)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl System {
    /// Its secrets, for the HMAC check.
    pub fn secrets(&self) -> Secrets<'_> {
        Secrets {
            current: &self.current,
            previous: self.previous.as_deref(),
        }
    }
}

/// Every connected system, by id.
#[derive(Debug, Default)]
pub struct Systems {
    by_id: HashMap<String, System>,
}

impl Systems {
    /// Read every system's secret files (the section is validated: its codes parse).
    pub fn load(section: &VxpSection) -> Result<Systems, String> {
        let mut by_id = HashMap::new();
        for s in &section.system {
            let current = read_secret(&s.secret_file)?;
            let previous = match &s.previous_secret_file {
                Some(p) => Some(read_secret(p)?),
                None => None,
            };
            let agencies = s
                .agencies
                .iter()
                .map(|a| AgencyCode::parse(a).map_err(|e| format!("vxp system {}: {e}", s.id)))
                .collect::<Result<Vec<_>, _>>()?;
            by_id.insert(
                s.id.clone(),
                System {
                    id: s.id.clone(),
                    current,
                    previous,
                    agencies,
                    policy: s.policy,
                },
            );
        }
        Ok(Systems { by_id })
    }

    /// The system `id`.
    pub fn get(&self, id: &str) -> Option<&System> {
        self.by_id.get(id)
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// None at all.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// The VXP listener's state beside the gateway's.
#[derive(Debug)]
pub struct VxpState {
    systems: RwLock<Arc<Systems>>,
    /// `[vxp] max_clock_skew_s`.
    pub max_clock_skew_s: Option<u64>,
}

impl VxpState {
    /// From a validated section.
    pub fn new(section: &VxpSection) -> Result<VxpState, String> {
        Ok(VxpState {
            systems: RwLock::new(Arc::new(Systems::load(section)?)),
            max_clock_skew_s: section.max_clock_skew_s,
        })
    }

    /// The systems in force.
    pub fn systems(&self) -> Arc<Systems> {
        crate::state::current(&self.systems)
    }

    /// Re-read the systems and their secrets from a re-read section; on error the ones in
    /// force stay. Returns what was loaded, in words.
    pub fn reload(&self, section: &VxpSection) -> Result<String, String> {
        let next = Systems::load(section)?;
        let n = next.len();
        let mut g = self
            .systems
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *g = Arc::new(next);
        Ok(format!("{n} VXP systems"))
    }
}
