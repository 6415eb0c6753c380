//! The operations of the VXP API, named by the last segment of the request's path: the SDK
//! appends `/<operation>` to its configured endpoint, which may carry a prefix
//! (`…/XrdAdapter/adapter`) or end with `/` (giving `//op`).

/// An operation the SDK calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Send a document or a status package (`messagetype` edoc or status).
    SendEdoc,
    /// The documents or status packages waiting for the system's agencies.
    GetReceivedEdocList,
    /// What the system's agencies sent, with where it stands.
    GetSentEdocList,
    /// One received item, base64 in `data`.
    GetEdoc,
    /// One received item, the raw bytes as the answer's body (2.0.1, HTTP GET).
    DownloadEdoc,
    /// Mark a received item done, failed or in progress.
    UpdateStatus,
    /// How many documents wait (2.0.1).
    CountReceiveEdoc,
    /// How many status packages wait (2.0.1).
    CountReceiveStatus,
    /// The directory's agencies.
    GetAgenciesList,
    /// The directory's agencies with their QĐ 20 codes (2.0.1).
    GetAgenciesListQd20,
    /// The directory's units, for synchronisation.
    GetSynchronizeUnit,
    /// Register an agency: refused here (the operator keeps the directory).
    RegisterAgency,
    /// Remove an agency: refused here.
    DeleteAgency,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 13] = [
        Operation::SendEdoc,
        Operation::GetReceivedEdocList,
        Operation::GetSentEdocList,
        Operation::GetEdoc,
        Operation::DownloadEdoc,
        Operation::UpdateStatus,
        Operation::CountReceiveEdoc,
        Operation::CountReceiveStatus,
        Operation::GetAgenciesList,
        Operation::GetAgenciesListQd20,
        Operation::GetSynchronizeUnit,
        Operation::RegisterAgency,
        Operation::DeleteAgency,
    ];

    /// Its name on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Operation::SendEdoc => "sendEdoc",
            Operation::GetReceivedEdocList => "getReceivedEdocList",
            Operation::GetSentEdocList => "getSentEdocList",
            Operation::GetEdoc => "getEdoc",
            Operation::DownloadEdoc => "downloadEdoc",
            Operation::UpdateStatus => "updateStatus",
            Operation::CountReceiveEdoc => "countReceiveEdoc",
            Operation::CountReceiveStatus => "countReceiveStatus",
            Operation::GetAgenciesList => "getAgenciesList",
            Operation::GetAgenciesListQd20 => "getAgenciesListQD20",
            Operation::GetSynchronizeUnit => "getSynchronizeUnit",
            Operation::RegisterAgency => "registerAgency",
            Operation::DeleteAgency => "deleteAgency",
        }
    }

    /// The operation a request path names (its last non-empty segment, before any query),
    /// matched without regard to case.
    pub fn from_path(path: &str) -> Option<Operation> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let last = path.rsplit('/').find(|s| !s.is_empty())?;
        Operation::ALL
            .into_iter()
            .find(|o| o.name().eq_ignore_ascii_case(last))
    }

    /// The HTTP method the SDK uses for it (`downloadEdoc` is a GET; the counts pass
    /// "GET" inside the SDK but go out as POST).
    pub const fn method(self) -> &'static str {
        match self {
            Operation::DownloadEdoc => "GET",
            _ => "POST",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_segment_names_the_operation() {
        for (path, op) in [
            ("/sendEdoc", Some(Operation::SendEdoc)),
            ("//getEdoc", Some(Operation::GetEdoc)),
            (
                "/XrdAdapter/adapter/getReceivedEdocList",
                Some(Operation::GetReceivedEdocList),
            ),
            (
                "/XrdAdapter/adapter/getAgenciesListQD20/",
                Some(Operation::GetAgenciesListQd20),
            ),
            ("/updatestatus?x=1", Some(Operation::UpdateStatus)),
            ("/", None),
            ("", None),
            ("/sendEdoc/extra", None),
            ("/nothing", None),
        ] {
            assert_eq!(Operation::from_path(path), op, "{path}");
        }
        for op in Operation::ALL {
            assert_eq!(Operation::from_path(&format!("/a/{}", op.name())), Some(op));
        }
        assert_eq!(Operation::DownloadEdoc.method(), "GET");
        assert_eq!(Operation::CountReceiveEdoc.method(), "POST");
    }
}
