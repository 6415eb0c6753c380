//! The one vocabulary of codes. Each code has a stable string (never changed once
//! published: DMSs, peers and dashboards match on it), the family (and so the crate) that
//! owns it, the HTTP status the gateway answers with when it is the refusal, whether a
//! retry can help and the CLI's exit code. What it means for people, in Vietnamese and
//! English, is in the catalogs of `lienthong-i18n`; the English text here documents it.
//!
//! Nested causes (an XML syntax error under `document.unreadable`, the problems of a
//! signature under `signature.required`) are codes of their own families; the gateway
//! puts them under one key, `detail.causes`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Which part of lienthong owns a code (and maps its errors to it, in one place).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// The gateway's HTTP API: the top-level refusals (`auth.*`, `request.*`, `document.*`…).
    Api,
    /// The strict XML reader (`lienthong-xml`).
    Xml,
    /// The edXML reader (`lienthong-edxml`): errors and warnings.
    Edxml,
    /// XML signatures (`lienthong-dsig`).
    Signature,
    /// Certificates and their trust (`lienthong-dsig`).
    Certificate,
    /// Hop receipts (`lienthong-dsig`).
    Receipt,
    /// Routing decisions (`lienthong-routing`).
    Routing,
    /// The durable store (`lienthong-store`).
    Store,
    /// The command line (`lienthong`).
    Usage,
    /// The national axis's DMS protocol (`lienthong-vxp`): the `ErrorCode` of its FAIL
    /// answers, beside the API's own codes for refusals of the document.
    Vxp,
    /// Signatures inside PDF files (`lienthong-pdfsig`): the file's structure, the CMS,
    /// coverage, time-stamps and the notes a report carries.
    Pdf,
}

/// Whether trying the same thing again can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Retry {
    /// No: the message or request itself is refused, and the same bytes are refused again.
    Never,
    /// Yes, later: the cause passes or an operator fixes it (load, a link, storage, a
    /// certificate not accepted yet, the peer's trust setup).
    Later,
}

macro_rules! codes {
    ($( $v:ident = $s:literal, $fam:ident, $status:literal, $retry:ident, $exit:literal, $msg:literal; )*) => {
        /// Every code lienthong uses, in one enum.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( #[doc = $msg] $v, )*
        }

        impl Code {
            /// Every code.
            pub const ALL: &'static [Code] = &[$(Code::$v),*];

            /// The stable string, e.g. `"auth.forbidden"`.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$v => $s),* }
            }

            /// The code with this string, if there is one.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($s => Some(Code::$v),)* _ => None }
            }

            /// The family that owns it.
            pub const fn family(self) -> Family {
                match self { $(Code::$v => Family::$fam),* }
            }

            /// The HTTP status of a refusal with this code.
            pub const fn http_status(self) -> u16 {
                match self { $(Code::$v => $status),* }
            }

            /// Whether trying again can help.
            pub const fn retry(self) -> Retry {
                match self { $(Code::$v => Retry::$retry),* }
            }

            /// The exit code of a command that stops with this code: 1 a negative verdict or
            /// a refusal, 2 unreadable input, a usage error, or nothing could be done.
            pub const fn exit_code(self) -> u8 {
                match self { $(Code::$v => $exit),* }
            }

        }
    };
}

codes! {
    // ---- the HTTP API's refusals ----
    AuthNoClientCertificate = "auth.no_client_certificate", Api, 401, Later, 1, "a client certificate is required";
    AuthRevoked = "auth.revoked", Api, 401, Never, 1, "the client certificate has been revoked";
    AuthWrongGateway = "auth.wrong_gateway", Api, 403, Never, 1, "the agency is homed at another gateway; its DMS submits there";
    AuthUnknownAgency = "auth.unknown_agency", Api, 403, Later, 1, "the certificate's agency is not in this gateway's directory";
    AuthUnidentified = "auth.unidentified", Api, 403, Later, 1, "the client certificate names no agency, gateway or operator";
    AuthForbidden = "auth.forbidden", Api, 403, Later, 1, "this identity may not use this endpoint";
    AuthWrongAgency = "auth.wrong_agency", Api, 403, Never, 1, "the document is from another agency than the certificate's";
    AuthRelayNotRouted = "auth.relay_not_routed", Api, 403, Later, 1, "the directory does not route this relay through the sending gateway";
    RequestTooLarge = "request.too_large", Api, 413, Never, 1, "the body is larger than the gateway accepts";
    RequestBadRequest = "request.bad_request", Api, 400, Never, 1, "the request is malformed";
    RequestUriTooLong = "request.uri_too_long", Api, 414, Never, 1, "the request's path and query are longer than the gateway accepts";
    RequestHeadersTooLarge = "request.headers_too_large", Api, 431, Never, 1, "the request's header fields are more or larger than the gateway accepts";
    RequestRateLimited = "request.rate_limited", Api, 429, Later, 1, "too many requests from this peer";
    RequestTimeout = "request.timeout", Api, 408, Later, 1, "the request took too long";
    ServerBusy = "server.busy", Api, 503, Later, 1, "the gateway is at its limits; try again shortly";
    DocumentUnreadable = "document.unreadable", Api, 400, Never, 1, "the document is not readable as XML";
    DocumentNotEdxml = "document.not_edxml", Api, 400, Never, 1, "the document is not edXML";
    DocumentAmbiguous = "document.ambiguous", Api, 400, Never, 1, "an element that must appear once (envelope, header, MessageHeader, From, a status's ResponseFor or StatusCode) appears again";
    DocumentReplayed = "document.replayed", Api, 409, Never, 1, "this document (the same sender, the same bytes) was already received under another message id";
    DocumentBadRecipient = "document.bad_recipient", Api, 400, Never, 1, "a recipient code is not a valid agency code";
    DocumentNoRecipients = "document.no_recipients", Api, 400, Never, 1, "the document names no recipient";
    DocumentChecksum = "document.checksum", Api, 400, Never, 1, "the body does not match its declared SHA-256";
    SignatureRequired = "signature.required", Api, 422, Never, 1, "the document's signature is not acceptable";
    RoutingRefused = "routing.refused", Api, 422, Never, 1, "a recipient cannot be routed";
    StoreConflict = "store.conflict", Api, 409, Never, 1, "it conflicts with what is stored (a DocumentId in use)";
    StateInvalid = "state.invalid", Api, 409, Never, 1, "the message is not in a state that allows this";
    NotFound = "not_found", Api, 404, Later, 1, "no such thing here";
    StorePurged = "store.purged", Api, 410, Never, 1, "retention removed the bytes; metadata, history and receipts remain";
    StoreUnavailable = "store.unavailable", Api, 503, Later, 1, "the gateway cannot store anything right now";
    BackupNotConfigured = "backup.not_configured", Api, 409, Never, 1, "no backup folder is configured";
    BackupRunning = "backup.running", Api, 409, Later, 1, "a backup is already running";
    Internal = "internal", Api, 500, Later, 2, "internal error; see the gateway log";

    // ---- the strict XML reader ----
    XmlDoctype = "xml.doctype", Xml, 400, Never, 2, "DOCTYPE declarations are not allowed";
    XmlDuplicateAttribute = "xml.duplicate_attribute", Xml, 400, Never, 2, "an attribute is repeated";
    XmlInvalidChar = "xml.invalid_char", Xml, 400, Never, 2, "a character XML does not allow";
    XmlInvalidCharRef = "xml.invalid_char_ref", Xml, 400, Never, 2, "a character reference to a character XML does not allow";
    XmlInvalidName = "xml.invalid_name", Xml, 400, Never, 2, "an invalid XML name";
    XmlInvalidUtf8 = "xml.invalid_utf8", Xml, 400, Never, 2, "the bytes are not UTF-8";
    XmlLimit = "xml.limit", Xml, 400, Never, 2, "a size, depth or count limit was exceeded";
    XmlLtInAttribute = "xml.lt_in_attribute", Xml, 400, Never, 2, "'<' inside an attribute value";
    XmlMismatchedTag = "xml.mismatched_tag", Xml, 400, Never, 2, "an end tag does not match its start tag";
    XmlMisplacedDeclaration = "xml.misplaced_declaration", Xml, 400, Never, 2, "an XML declaration that is not at the start";
    XmlMultipleRoots = "xml.multiple_roots", Xml, 400, Never, 2, "more than one root element";
    XmlNamespace = "xml.namespace", Xml, 400, Never, 2, "a namespace declaration XML does not allow";
    XmlNoRoot = "xml.no_root", Xml, 400, Never, 2, "no root element";
    XmlSyntax = "xml.syntax", Xml, 400, Never, 2, "XML syntax error";
    XmlTextOutsideRoot = "xml.text_outside_root", Xml, 400, Never, 2, "text outside the root element";
    XmlTruncated = "xml.truncated", Xml, 400, Never, 2, "the document ends too early";
    XmlUndeclaredPrefix = "xml.undeclared_prefix", Xml, 400, Never, 2, "a namespace prefix that is not declared";
    XmlUnknownEntity = "xml.unknown_entity", Xml, 400, Never, 2, "an entity XML does not predefine";
    XmlUnmatchedEndTag = "xml.unmatched_end_tag", Xml, 400, Never, 2, "an end tag without a start tag";
    XmlUnsupportedEncoding = "xml.unsupported_encoding", Xml, 400, Never, 2, "an encoding other than UTF-8";

    // ---- edXML: errors and warnings ----
    EdxmlNotEdxml = "edxml.not_edxml", Edxml, 400, Never, 2, "not an edXML document or status package";
    EdxmlMissingElement = "edxml.missing_element", Edxml, 400, Never, 2, "a required element is missing";
    EdxmlAmbiguous = "edxml.ambiguous", Edxml, 400, Never, 2, "an element that decides who sent the document, or to whom, appears more than once";
    EdxmlAttachmentNotInManifest = "edxml.attachment_not_in_manifest", Edxml, 400, Never, 2, "an attachment the manifest does not list";
    EdxmlAttachmentUnreadable = "edxml.attachment_unreadable", Edxml, 400, Never, 2, "an attachment that cannot be read";
    EdxmlBadBoolean = "edxml.bad_boolean", Edxml, 400, Never, 2, "not a boolean";
    EdxmlBadDate = "edxml.bad_date", Edxml, 400, Never, 2, "not a date";
    EdxmlBadNumber = "edxml.bad_number", Edxml, 400, Never, 2, "not a number";
    EdxmlBadRecipient = "edxml.bad_recipient", Edxml, 400, Never, 2, "a recipient without a valid agency code";
    EdxmlBadTimestamp = "edxml.bad_timestamp", Edxml, 400, Never, 2, "not a timestamp";
    EdxmlBusinessSpelling = "edxml.business_spelling", Edxml, 400, Never, 2, "the business element is spelled in a non-standard way";
    EdxmlDuplicateRecipient = "edxml.duplicate_recipient", Edxml, 400, Never, 2, "a recipient is named twice";
    EdxmlLegacySignature = "edxml.legacy_signature", Edxml, 400, Never, 2, "a signature in the SDK's legacy form";
    EdxmlManifestWithoutAttachment = "edxml.manifest_without_attachment", Edxml, 400, Never, 2, "the manifest lists an attachment that is missing";
    EdxmlMultipleSignatures = "edxml.multiple_signatures", Edxml, 400, Never, 2, "more than one signature";
    EdxmlNoDocumentId = "edxml.no_document_id", Edxml, 400, Never, 2, "no DocumentId";
    EdxmlNoRecipients = "edxml.no_recipients", Edxml, 400, Never, 2, "no recipient";
    EdxmlNoResponseFor = "edxml.no_response_for", Edxml, 400, Never, 2, "a status package without ResponseFor";
    EdxmlNoSubject = "edxml.no_subject", Edxml, 400, Never, 2, "no subject";
    EdxmlOddAgencyCode = "edxml.odd_agency_code", Edxml, 400, Never, 2, "an agency code that is not a valid code";
    EdxmlRepeatedElement = "edxml.repeated_element", Edxml, 400, Never, 2, "an element that should appear once is repeated";
    EdxmlSignatureMisplaced = "edxml.signature_misplaced", Edxml, 400, Never, 2, "a signature outside its place";
    EdxmlUnexpectedChildren = "edxml.unexpected_children", Edxml, 400, Never, 2, "unexpected child elements";
    EdxmlUnknownBusinessType = "edxml.unknown_business_type", Edxml, 400, Never, 2, "an unknown business type";
    EdxmlUnknownElement = "edxml.unknown_element", Edxml, 400, Never, 2, "an unknown element (kept)";
    EdxmlUnknownPriority = "edxml.unknown_priority", Edxml, 400, Never, 2, "an unknown priority";
    EdxmlUnknownStatusCode = "edxml.unknown_status_code", Edxml, 400, Never, 2, "an unknown status code";

    // ---- XML signatures ----
    SigUnsigned = "sig.unsigned", Signature, 422, Never, 1, "the document is not signed";
    SigLegacy = "sig.legacy", Signature, 422, Never, 1, "a signature in the national SDK's legacy form, which cannot be verified";
    SigMultiple = "sig.multiple", Signature, 422, Never, 1, "more than one signature";
    SigMisplaced = "sig.misplaced", Signature, 422, Never, 1, "the signature is not where the profile puts it";
    SigDuplicateId = "sig.duplicate_id", Signature, 422, Never, 1, "two elements share an Id";
    SigMalformed = "sig.malformed", Signature, 422, Never, 1, "the signature is malformed";
    SigUnsupported = "sig.unsupported", Signature, 422, Never, 1, "an algorithm or transform the profile refuses";
    SigHmac = "sig.hmac", Signature, 422, Never, 1, "an HMAC signature, which proves nothing about the signer";
    SigDigestMismatch = "sig.digest_mismatch", Signature, 422, Never, 1, "the document was changed after signing";
    SigRefusedReference = "sig.refused_reference", Signature, 422, Never, 1, "a reference the profile refuses";
    SigPartial = "sig.partial", Signature, 422, Never, 1, "the signature does not cover the whole document";
    SigKeyInfo = "sig.key_info", Signature, 422, Never, 1, "the KeyInfo is unusable";
    SigNoCertificate = "sig.no_certificate", Signature, 422, Never, 1, "no signer certificate";
    SigC14n = "sig.c14n", Signature, 422, Never, 1, "canonicalization failed";
    SigBadValue = "sig.bad_value", Signature, 422, Never, 1, "the signature value does not verify";
    SigWeak = "sig.weak", Signature, 422, Never, 1, "a weak algorithm (SHA-1)";
    SigWrongAgency = "sig.wrong_agency", Signature, 422, Never, 1, "the signer does not speak for the sending agency";

    // ---- certificates ----
    CertMalformed = "cert.malformed", Certificate, 422, Never, 1, "a certificate that cannot be read";
    CertExpired = "cert.expired", Certificate, 422, Never, 1, "the certificate had expired";
    CertNotYetValid = "cert.not_yet_valid", Certificate, 422, Never, 1, "the certificate was not valid yet";
    CertRevoked = "cert.revoked", Certificate, 422, Never, 1, "the certificate is revoked";
    CertUntrusted = "cert.untrusted", Certificate, 422, Later, 1, "the certificate does not chain to a trusted root";
    CertCrlExpired = "cert.crl_expired", Certificate, 422, Later, 1, "the revocation lists in use are past their nextUpdate";
    CertRevocationUnknown = "cert.revocation_unknown", Certificate, 422, Later, 1, "no revocation list decides the certificate's status";
    CertBadChainSignature = "cert.bad_chain_signature", Certificate, 422, Never, 1, "a signature in the certificate chain does not verify";
    CertCaAsSigner = "cert.ca_as_signer", Certificate, 422, Never, 1, "a CA certificate used to sign a document";
    CertNoKeyUsage = "cert.no_key_usage", Certificate, 422, Never, 1, "the certificate has no key usage for signing";
    CertKeyUsage = "cert.key_usage", Certificate, 422, Never, 1, "the certificate's key usage does not allow signing";
    CertNoTrustRoots = "cert.no_trust_roots", Certificate, 422, Later, 1, "no trust anchors are configured";
    CertInvalid = "cert.invalid", Certificate, 422, Never, 1, "the certificate is not valid";

    // ---- hop receipts ----
    ReceiptWrongGateway = "receipt.wrong_gateway", Receipt, 422, Later, 1, "the receipt is signed by or for another gateway";
    ReceiptOtherMessage = "receipt.other_message", Receipt, 422, Later, 1, "the receipt is for another message id";
    ReceiptOtherDocument = "receipt.other_document", Receipt, 422, Later, 1, "the receipt is for other bytes";
    ReceiptInvalid = "receipt.invalid", Receipt, 422, Later, 1, "the receipt's signature does not hold";
    ReceiptUnreadable = "receipt.unreadable", Receipt, 422, Later, 1, "the receipt cannot be read";

    // ---- routing decisions ----
    RoutingUnknownAgency = "routing.unknown_agency", Routing, 422, Never, 1, "the agency is not in the directory";
    RoutingAgencyNotValid = "routing.agency_not_valid", Routing, 422, Never, 1, "the agency is outside its validity dates";
    RoutingLoop = "routing.loop", Routing, 422, Never, 1, "the message would visit a gateway again";
    RoutingHopLimit = "routing.hop_limit", Routing, 422, Never, 1, "the message has passed too many gateways";
    RoutingUnknownGateway = "routing.unknown_gateway", Routing, 422, Never, 1, "a gateway the directory does not know";

    // ---- the store ----
    StoreNotFound = "store.not_found", Store, 404, Never, 2, "no such message in the store";
    StoreIdConflict = "store.id_conflict", Store, 409, Never, 2, "the message id is held by other bytes";
    StoreReplayed = "store.replayed", Store, 409, Never, 2, "the same sender's same bytes are already stored under another message id";
    StoreInvalidInput = "store.invalid_input", Store, 400, Never, 2, "the store refuses this input";
    StoreInvalidState = "store.invalid_state", Store, 409, Never, 2, "the message is not in a state that allows this";
    StoreIo = "store.io", Store, 503, Later, 2, "a storage input/output error";
    StoreFlush = "store.flush", Store, 503, Later, 2, "the store could not make a write durable and refuses writes until reopened";
    StoreSled = "store.sled", Store, 500, Later, 2, "the metadata engine failed";
    StoreDatabase = "store.database", Store, 503, Later, 2, "the PostgreSQL database cannot be reached or did not complete the operation";
    StoreCorrupt = "store.corrupt", Store, 500, Never, 1, "the store is damaged";
    StoreUnsupportedFormat = "store.unsupported_format", Store, 500, Never, 2, "a store of a format this version cannot read";

    // ---- signing and key handling ----
    DsigKey = "dsig.key", Signature, 400, Never, 2, "a private key that cannot be used";
    DsigCertificate = "dsig.certificate", Signature, 400, Never, 2, "a certificate that cannot be used";
    DsigSign = "dsig.sign", Signature, 400, Never, 2, "signing failed";
    DsigC14n = "dsig.c14n", Signature, 400, Never, 2, "canonicalization failed";
    DsigReceipt = "dsig.receipt", Receipt, 422, Later, 1, "a receipt that cannot be read";

    // ---- the national axis's DMS protocol (VXP) ----
    VxpUnsigned = "vxp.unsigned", Vxp, 401, Never, 1, "the request carries no XroadVnpt-sign-header or XroadVnpt-hash-header, or more than one";
    VxpMalformed = "vxp.malformed", Vxp, 400, Never, 1, "the signed header is not a JSON object of XroadVnpt- members, or a parameter is missing or wrong";
    VxpUnknownSystem = "vxp.unknown_system", Vxp, 401, Later, 1, "no system with this systemid is configured here";
    VxpBadSignature = "vxp.bad_signature", Vxp, 401, Never, 1, "the HMAC of the signed header does not match the system's secret";
    VxpHeaderMismatch = "vxp.header_mismatch", Vxp, 401, Never, 1, "a header's value disagrees with the signed header, or a signed header is missing";
    VxpClockSkew = "vxp.clock_skew", Vxp, 401, Later, 1, "the request's timestamp is further from the gateway's clock than allowed";
    VxpHashMismatch = "vxp.hash_mismatch", Vxp, 400, Never, 1, "the file does not match its XroadVnpt-hash-file";
    VxpAgencyNotAllowed = "vxp.agency_not_allowed", Vxp, 403, Never, 1, "the system may not send as or receive for this agency";
    VxpUnknownOperation = "vxp.unknown_operation", Vxp, 404, Never, 1, "no such operation in the VXP API";
    VxpNotSupported = "vxp.not_supported", Vxp, 403, Never, 1, "agencies are registered by the operator in the directory, not through the VXP API";
    VxpNotFound = "vxp.not_found", Vxp, 404, Later, 1, "no such document for this system";

    // ---- signatures inside PDF files ----
    PdfTooLarge = "pdf.too_large", Pdf, 413, Never, 2, "the PDF file is larger than the verifier accepts";
    PdfUnreadable = "pdf.unreadable", Pdf, 400, Never, 2, "the file is not a readable PDF";
    PdfXref = "pdf.xref", Pdf, 400, Never, 2, "the PDF's cross-reference data is broken";
    PdfTooComplex = "pdf.too_complex", Pdf, 400, Never, 2, "the PDF exceeds a limit on nesting, objects, revisions or decompressed size";
    PdfUnsigned = "pdf.unsigned", Pdf, 422, Never, 1, "the PDF carries no signature";
    PdfByteRange = "pdf.byte_range", Pdf, 422, Never, 1, "a signature's ByteRange is malformed or does not frame its /Contents";
    PdfCms = "pdf.cms", Pdf, 422, Never, 1, "a signature's CMS data cannot be read";
    PdfSubfilter = "pdf.subfilter", Pdf, 422, Never, 1, "a signature format (SubFilter) the verifier does not support";
    PdfDigestMismatch = "pdf.digest_mismatch", Pdf, 422, Never, 1, "the signed bytes were changed after signing";
    PdfBadSignature = "pdf.bad_signature", Pdf, 422, Never, 1, "the signature value does not verify with the signer's key";
    PdfNoCertificate = "pdf.no_certificate", Pdf, 422, Never, 1, "the CMS does not carry the signer's certificate";
    PdfModified = "pdf.modified", Pdf, 422, Never, 1, "the file was changed after signing in a way a signature does not allow";
    PdfWeak = "pdf.weak", Pdf, 422, Never, 1, "a weak algorithm (SHA-1, or RSA under 2048 bits)";
    PdfTimestampInvalid = "pdf.timestamp_invalid", Pdf, 422, Never, 1, "the signature's time-stamp does not hold";
    PdfTimestampWeak = "pdf.timestamp_weak", Pdf, 422, Never, 1, "the time-stamp uses a weak algorithm (SHA-1)";
    PdfLaterRevision = "pdf.later_revision", Pdf, 422, Never, 1, "the signature covers an earlier revision; more was added after it";
    PdfTimeLocal = "pdf.time_local", Pdf, 422, Never, 1, "the claimed signing time looks like Vietnam local time labelled UTC";
    PdfTimeDiffers = "pdf.time_differs", Pdf, 422, Never, 1, "the claimed signing time and the time-stamp differ";
    PdfLeafOnly = "pdf.leaf_only", Pdf, 422, Never, 1, "the CMS carries only the signer's certificate; intermediates came from the trust configuration";
    PdfRevocationUnchecked = "pdf.revocation_unchecked", Pdf, 422, Later, 1, "no configured CRL covers the signer, so revocation was not checked";
    PdfNoOrganisationSignature = "pdf.no_organisation_signature", Pdf, 422, Never, 1, "the main PDF lacks a valid organisation signature from the sending agency";

    // ---- the command line ----
    UsageAt = "usage.at", Usage, 400, Never, 2, "--at is not a time";
    UsageCredentials = "usage.credentials", Usage, 400, Never, 2, "the client certificate or key cannot be used";
    UsageCrl = "usage.crl", Usage, 400, Never, 2, "a revocation list cannot be read";
    UsageDirectory = "usage.directory", Usage, 400, Never, 2, "the directory file cannot be read";
    UsageDocument = "usage.document", Usage, 400, Never, 2, "the document cannot be read";
    UsageEmpty = "usage.empty", Usage, 400, Never, 2, "nothing to do";
    UsageGateway = "usage.gateway", Usage, 400, Never, 2, "the gateway cannot be reached";
    UsageNotEdxml = "usage.not_edxml", Usage, 400, Never, 2, "the file is not edXML";
    UsageNotStatus = "usage.not_status", Usage, 400, Never, 2, "the file is not a status package";
    UsageTrust = "usage.trust", Usage, 400, Never, 2, "a trust anchor cannot be read";
    IoRead = "io.read", Usage, 400, Never, 2, "a file cannot be read";
    IoWrite = "io.write", Usage, 400, Later, 2, "a file cannot be written";
    Connection = "connection", Usage, 503, Later, 2, "the gateway cannot be reached";
    ConnectionRefused = "connection.refused", Usage, 503, Later, 2, "nothing listens at the gateway's address and port";
    ConnectionUnresolved = "connection.unresolved", Usage, 503, Later, 2, "the gateway's host name cannot be resolved";
    ConnectionServerUntrusted = "connection.server_untrusted", Usage, 503, Never, 2, "the gateway's certificate is not signed by the CA given with --ca";
    ConnectionNameMismatch = "connection.name_mismatch", Usage, 503, Never, 2, "the gateway's certificate is not for the name in the URL";
    ConnectionServerExpired = "connection.server_expired", Usage, 503, Never, 2, "the gateway's certificate has expired or is not valid yet";
    ConnectionClientRefused = "connection.client_refused", Usage, 503, Never, 2, "the gateway refused the client certificate";
    ConnectionClosed = "connection.closed", Usage, 503, Later, 2, "the gateway closed the connection without answering";
    ConnectionTimeout = "connection.timeout", Usage, 503, Later, 2, "the gateway did not answer in time";
    UsageProfile = "usage.profile", Usage, 400, Never, 2, "the connection profile cannot be read or written";
    Runtime = "runtime", Usage, 500, Later, 2, "the command cannot start";
}

impl Code {
    /// The codes the gateway's HTTP API answers with at the top level (the OpenAPI file's
    /// `ErrorCode`).
    pub fn api() -> impl Iterator<Item = Code> {
        Code::ALL
            .iter()
            .copied()
            .filter(|c| c.family() == Family::Api)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Code::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown code '{s}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_prefixed_and_parses_back() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert_eq!(Code::parse(c.as_str()), Some(*c));
            let prefixed = c.as_str().contains('.');
            assert!(
                prefixed
                    || matches!(
                        c,
                        Code::NotFound | Code::Internal | Code::Connection | Code::Runtime
                    ),
                "{c} has no family prefix"
            );
            assert!((400..600).contains(&c.http_status()), "{c}");
            assert!(matches!(c.exit_code(), 1 | 2), "{c}");
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), *c);
        }
        assert_eq!(Code::parse("auth.nonsense"), None);
        assert!(serde_json::from_str::<Code>("\"auth.nonsense\"").is_err());
    }

    #[test]
    fn families_own_their_prefixes() {
        for c in Code::ALL {
            let prefix = c.as_str().split('.').next().unwrap_or_default();
            let expected = match prefix {
                "xml" => Family::Xml,
                "edxml" => Family::Edxml,
                "sig" => Family::Signature,
                "dsig" if *c != Code::DsigReceipt => Family::Signature,
                "dsig" => Family::Receipt,
                "cert" => Family::Certificate,
                "receipt" => Family::Receipt,
                "usage" | "io" | "connection" | "runtime" => Family::Usage,
                "vxp" => Family::Vxp,
                "pdf" => Family::Pdf,
                "routing" if *c != Code::RoutingRefused => Family::Routing,
                "store"
                    if !matches!(
                        c,
                        Code::StoreConflict | Code::StorePurged | Code::StoreUnavailable
                    ) =>
                {
                    Family::Store
                }
                _ => Family::Api,
            };
            assert_eq!(c.family(), expected, "{c}");
        }
    }

    #[test]
    fn what_a_retry_can_help() {
        for c in [
            Code::ServerBusy,
            Code::StoreUnavailable,
            Code::RequestRateLimited,
            Code::CertCrlExpired,
            Code::CertUntrusted,
            Code::AuthForbidden,
        ] {
            assert_eq!(c.retry(), Retry::Later, "{c}");
        }
        for c in [
            Code::DocumentNotEdxml,
            Code::SignatureRequired,
            Code::RoutingRefused,
            Code::StoreConflict,
            Code::RequestTooLarge,
            Code::SigDigestMismatch,
        ] {
            assert_eq!(c.retry(), Retry::Never, "{c}");
        }
        assert_eq!(Code::AuthForbidden.http_status(), 403);
        assert_eq!(Code::Internal.http_status(), 500);
        assert!(Code::XmlDoctype == "xml.doctype");
        assert_eq!(Code::api().count(), 32);
    }
}
