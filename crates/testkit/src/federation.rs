//! The demo federation: the gateways and agencies of `lienthong demo`, the committed
//! development PKI and the example deployment. One definition, so they never disagree.
//!
//! Real codes and names where the public notes give them (`000.00.00.G22` Văn phòng
//! Chính phủ, `000.00.00.H50` UBND tỉnh Quảng Trị, `000.00.00.H48` UBND tỉnh Quảng Ngãi);
//! the department, district and commune codes below them are illustrative, built by the
//! QCVN 102 rules (`000.00.JJ.Hnn` level 2, `000.KK.JJ.Hnn` level 3).

/// A gateway of the demo federation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoGateway {
    /// Gateway id.
    pub id: &'static str,
    /// Parent gateway (`None` for the national root).
    pub parent: Option<&'static str>,
    /// Level label.
    pub level: &'static str,
    /// Port on 127.0.0.1 in the example deployment.
    pub port: u16,
}

/// An agency of the demo federation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAgency {
    /// Agency code.
    pub code: &'static str,
    /// Name.
    pub name: &'static str,
    /// Home gateway.
    pub gateway: &'static str,
    /// Parent agency code.
    pub parent: Option<&'static str>,
}

/// The gateways: national → two provinces; under Quảng Trị a district, under it a commune.
pub const GATEWAYS: &[DemoGateway] = &[
    DemoGateway {
        id: "gw-g22",
        parent: None,
        level: "national",
        port: 8440,
    },
    DemoGateway {
        id: "gw-h50",
        parent: Some("gw-g22"),
        level: "province",
        port: 8441,
    },
    DemoGateway {
        id: "gw-h50-giolinh",
        parent: Some("gw-h50"),
        level: "district",
        port: 8442,
    },
    DemoGateway {
        id: "gw-h50-giomai",
        parent: Some("gw-h50-giolinh"),
        level: "commune",
        port: 8443,
    },
    DemoGateway {
        id: "gw-h48",
        parent: Some("gw-g22"),
        level: "province",
        port: 8444,
    },
];

/// The agencies and where they are homed.
pub const AGENCIES: &[DemoAgency] = &[
    DemoAgency {
        code: "000.00.00.G22",
        name: "Văn phòng Chính phủ",
        gateway: "gw-g22",
        parent: None,
    },
    DemoAgency {
        code: "000.00.00.H50",
        name: "UBND tỉnh Quảng Trị",
        gateway: "gw-h50",
        parent: None,
    },
    DemoAgency {
        code: "000.00.01.H50",
        name: "Văn phòng UBND tỉnh Quảng Trị",
        gateway: "gw-h50",
        parent: Some("000.00.00.H50"),
    },
    DemoAgency {
        code: "000.00.11.H50",
        name: "Sở Tài chính tỉnh Quảng Trị",
        gateway: "gw-h50",
        parent: Some("000.00.00.H50"),
    },
    DemoAgency {
        code: "000.00.21.H50",
        name: "UBND huyện Gio Linh",
        gateway: "gw-h50-giolinh",
        parent: Some("000.00.00.H50"),
    },
    DemoAgency {
        code: "000.05.21.H50",
        name: "UBND xã Gio Mai",
        gateway: "gw-h50-giomai",
        parent: Some("000.00.21.H50"),
    },
    DemoAgency {
        code: "000.00.00.H48",
        name: "UBND tỉnh Quảng Ngãi",
        gateway: "gw-h48",
        parent: None,
    },
    DemoAgency {
        code: "000.00.11.H48",
        name: "Sở Tài chính tỉnh Quảng Ngãi",
        gateway: "gw-h48",
        parent: Some("000.00.00.H48"),
    },
    DemoAgency {
        code: "000.00.09.H48",
        name: "Sở Nội vụ tỉnh Quảng Ngãi",
        gateway: "gw-h48",
        parent: Some("000.00.00.H48"),
    },
];

/// The agency with this code.
pub fn agency(code: &str) -> Option<&'static DemoAgency> {
    AGENCIES.iter().find(|a| a.code == code)
}

/// What the demo's sample documents say: their contents, as an agency would write them (in
/// Vietnamese whatever the reader's language: they are the documents, not messages).
pub mod samples {
    /// The person who signs the commune's PDF.
    pub const PERSON: &str = "Nguyễn Văn An";
    /// The commune's report to the other province.
    pub const SUBJECT_REPORT: &str = "V/v báo cáo tiến độ giải ngân vốn đầu tư công";
    /// The document to several agencies.
    pub const SUBJECT_BROADCAST: &str = "V/v phối hợp triển khai liên thông văn bản điện tử";
    /// Why the home affairs department refuses it.
    pub const REFUSAL_NOTE: &str = "Từ chối: văn bản không thuộc thẩm quyền xử lý của Sở Nội vụ";
    /// The document sent by mistake, then recalled.
    pub const SUBJECT_RECALLED: &str = "V/v đề nghị bổ sung hồ sơ (gửi nhầm)";
    /// Why it is recalled.
    pub const RECALL_NOTE: &str = "Văn thư yêu cầu lấy lại văn bản: gửi nhầm đơn vị";
    /// The document a DMS of the national axis's SDK sends.
    pub const SUBJECT_VXP: &str = "V/v triển khai kết nối hệ thống QLVB qua trục liên thông";
}
