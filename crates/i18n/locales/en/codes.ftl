# Messages for lienthong's codes (crates/types/src/code.rs), English.
# One message per code, in the order of the codes! table; the id is
# "code-" and the code with each "." replaced by "-".

## the HTTP API's refusals

code-auth-no_client_certificate = a client certificate is required
code-auth-revoked = the client certificate has been revoked
code-auth-wrong_gateway = the agency is homed at another gateway; its DMS submits there
code-auth-unknown_agency = the certificate's agency is not in this gateway's directory
code-auth-unidentified = the client certificate names no agency, gateway or operator
code-auth-forbidden = this identity may not use this endpoint
code-auth-wrong_agency = the document is from another agency than the certificate's
code-auth-relay_not_routed = the directory does not route this relay through the sending gateway
code-request-too_large = the body is larger than the gateway accepts
code-request-bad_request = the request is malformed
code-request-uri_too_long = the request's path and query are longer than the gateway accepts
code-request-headers_too_large = the request's header fields are more or larger than the gateway accepts
code-request-rate_limited = too many requests from this peer
code-request-timeout = the request took too long
code-server-busy = the gateway is at its limits; try again shortly
code-document-unreadable = the document is not readable as XML
code-document-not_edxml = the document is not edXML
code-document-ambiguous = an element that must appear once (envelope, header, MessageHeader, From, a status's ResponseFor or StatusCode) appears again
code-document-replayed = this document (the same sender, the same bytes) was already received under another message id
code-document-bad_recipient = a recipient code is not a valid agency code
code-document-no_recipients = the document names no recipient
code-document-checksum = the body does not match its declared SHA-256
code-signature-required = the document's signature is not acceptable
code-routing-refused = a recipient cannot be routed
code-store-conflict = it conflicts with what is stored (a DocumentId in use)
code-state-invalid = the message is not in a state that allows this
code-not_found = no such thing here
code-store-purged = retention removed the bytes; metadata, history and receipts remain
code-store-unavailable = the gateway cannot store anything right now
code-backup-not_configured = no backup folder is configured
code-backup-running = a backup is already running
code-internal = internal error; see the gateway log

## the strict XML reader

code-xml-doctype = DOCTYPE declarations are not allowed
code-xml-duplicate_attribute = an attribute is repeated
code-xml-invalid_char = a character XML does not allow
code-xml-invalid_char_ref = a character reference to a character XML does not allow
code-xml-invalid_name = an invalid XML name
code-xml-invalid_utf8 = the bytes are not UTF-8
code-xml-limit = a size, depth or count limit was exceeded
code-xml-lt_in_attribute = '<' inside an attribute value
code-xml-mismatched_tag = an end tag does not match its start tag
code-xml-misplaced_declaration = an XML declaration that is not at the start
code-xml-multiple_roots = more than one root element
code-xml-namespace = a namespace declaration XML does not allow
code-xml-no_root = no root element
code-xml-syntax = XML syntax error
code-xml-text_outside_root = text outside the root element
code-xml-truncated = the document ends too early
code-xml-undeclared_prefix = a namespace prefix that is not declared
code-xml-unknown_entity = an entity XML does not predefine
code-xml-unmatched_end_tag = an end tag without a start tag
code-xml-unsupported_encoding = an encoding other than UTF-8

## edXML: errors and warnings

code-edxml-not_edxml = not an edXML document or status package
code-edxml-missing_element = a required element is missing
code-edxml-ambiguous = an element that decides who sent the document, or to whom, appears more than once
code-edxml-attachment_not_in_manifest = an attachment the manifest does not list
code-edxml-attachment_unreadable = an attachment that cannot be read
code-edxml-bad_boolean = not a boolean
code-edxml-bad_date = not a date
code-edxml-bad_number = not a number
code-edxml-bad_recipient = a recipient without a valid agency code
code-edxml-bad_timestamp = not a timestamp
code-edxml-business_spelling = the business element is spelled in a non-standard way
code-edxml-duplicate_recipient = a recipient is named twice
code-edxml-legacy_signature = a signature in the SDK's legacy form
code-edxml-manifest_without_attachment = the manifest lists an attachment that is missing
code-edxml-multiple_signatures = more than one signature
code-edxml-no_document_id = no DocumentId
code-edxml-no_recipients = no recipient
code-edxml-no_response_for = a status package without ResponseFor
code-edxml-no_subject = no subject
code-edxml-odd_agency_code = an agency code that is not a valid code
code-edxml-repeated_element = an element that should appear once is repeated
code-edxml-signature_misplaced = a signature outside its place
code-edxml-unexpected_children = unexpected child elements
code-edxml-unknown_business_type = an unknown business type
code-edxml-unknown_element = an unknown element (kept)
code-edxml-unknown_priority = an unknown priority
code-edxml-unknown_status_code = an unknown status code

## XML signatures

code-sig-unsigned = the document is not signed
code-sig-legacy = a signature in the national SDK's legacy form, which cannot be verified
code-sig-multiple = more than one signature
code-sig-misplaced = the signature is not where the profile puts it
code-sig-duplicate_id = two elements share an Id
code-sig-malformed = the signature is malformed
code-sig-unsupported = an algorithm or transform the profile refuses
code-sig-hmac = an HMAC signature, which proves nothing about the signer
code-sig-digest_mismatch = the document was changed after signing
code-sig-refused_reference = a reference the profile refuses
code-sig-partial = the signature does not cover the whole document
code-sig-key_info = the KeyInfo is unusable
code-sig-no_certificate = no signer certificate
code-sig-c14n = canonicalization failed
code-sig-bad_value = the signature value does not verify
code-sig-weak = a weak algorithm (SHA-1)
code-sig-wrong_agency = the signer does not speak for the sending agency

## certificates

code-cert-malformed = a certificate that cannot be read
code-cert-expired = the certificate had expired
code-cert-not_yet_valid = the certificate was not valid yet
code-cert-revoked = the certificate is revoked
code-cert-untrusted = the certificate does not chain to a trusted root
code-cert-crl_expired = the revocation lists in use are past their nextUpdate
code-cert-revocation_unknown = no revocation list decides the certificate's status
code-cert-bad_chain_signature = a signature in the certificate chain does not verify
code-cert-ca_as_signer = a CA certificate used to sign a document
code-cert-no_key_usage = the certificate has no key usage for signing
code-cert-key_usage = the certificate's key usage does not allow signing
code-cert-no_trust_roots = no trust anchors are configured
code-cert-invalid = the certificate is not valid

## hop receipts

code-receipt-wrong_gateway = the receipt is signed by or for another gateway
code-receipt-other_message = the receipt is for another message id
code-receipt-other_document = the receipt is for other bytes
code-receipt-invalid = the receipt's signature does not hold
code-receipt-unreadable = the receipt cannot be read

## routing decisions

code-routing-unknown_agency = the agency is not in the directory
code-routing-agency_not_valid = the agency is outside its validity dates
code-routing-loop = the message would visit a gateway again
code-routing-hop_limit = the message has passed too many gateways
code-routing-unknown_gateway = a gateway the directory does not know

## the store

code-store-not_found = no such message in the store
code-store-id_conflict = the message id is held by other bytes
code-store-replayed = the same sender's same bytes are already stored under another message id
code-store-invalid_input = the store refuses this input
code-store-invalid_state = the message is not in a state that allows this
code-store-io = a storage input/output error
code-store-flush = the store could not make a write durable and refuses writes until reopened
code-store-sled = the metadata engine failed
code-store-database = the PostgreSQL database cannot be reached or did not complete the operation
code-store-corrupt = the store is damaged
code-store-unsupported_format = a store of a format this version cannot read

## signing and key handling

code-dsig-key = a private key that cannot be used
code-dsig-certificate = a certificate that cannot be used
code-dsig-sign = signing failed
code-dsig-c14n = canonicalization failed
code-dsig-receipt = a receipt that cannot be read

## the national axis's DMS protocol (VXP)

code-vxp-unsigned = the request carries no XroadVnpt-sign-header or XroadVnpt-hash-header, or more than one
code-vxp-malformed = the signed header is not a JSON object of XroadVnpt- members, or a parameter is missing or wrong
code-vxp-unknown_system = no system with this systemid is configured here
code-vxp-bad_signature = the HMAC of the signed header does not match the system's secret
code-vxp-header_mismatch = a header's value disagrees with the signed header, or a signed header is missing
code-vxp-clock_skew = the request's timestamp is further from the gateway's clock than allowed
code-vxp-hash_mismatch = the file does not match its XroadVnpt-hash-file
code-vxp-agency_not_allowed = the system may not send as or receive for this agency
code-vxp-unknown_operation = no such operation in the VXP API
code-vxp-not_supported = agencies are registered by the operator in the directory, not through the VXP API
code-vxp-not_found = no such document for this system

## signatures inside PDF files

code-pdf-too_large = the PDF file is larger than the verifier accepts
code-pdf-unreadable = the file is not a readable PDF
code-pdf-xref = the PDF's cross-reference data is broken
code-pdf-too_complex = the PDF exceeds a limit on nesting, objects, revisions or decompressed size
code-pdf-unsigned = the PDF carries no signature
code-pdf-byte_range = a signature's ByteRange is malformed or does not frame its /Contents
code-pdf-cms = a signature's CMS data cannot be read
code-pdf-subfilter = a signature format (SubFilter) the verifier does not support
code-pdf-digest_mismatch = the signed bytes were changed after signing
code-pdf-bad_signature = the signature value does not verify with the signer's key
code-pdf-no_certificate = the CMS does not carry the signer's certificate
code-pdf-modified = the file was changed after signing in a way a signature does not allow
code-pdf-weak = a weak algorithm (SHA-1, or RSA under 2048 bits)
code-pdf-timestamp_invalid = the signature's time-stamp does not hold
code-pdf-timestamp_weak = the time-stamp uses a weak algorithm (SHA-1)
code-pdf-later_revision = the signature covers an earlier revision; more was added after it
code-pdf-time_local = the claimed signing time looks like Vietnam local time labelled UTC
code-pdf-time_differs = the claimed signing time and the time-stamp differ
code-pdf-leaf_only = the CMS carries only the signer's certificate; intermediates came from the trust configuration
code-pdf-revocation_unchecked = no configured CRL covers the signer, so revocation was not checked
code-pdf-no_organisation_signature = the main PDF lacks a valid organisation signature from the sending agency

## the command line

code-usage-at = --at is not a time
code-usage-credentials = the client certificate or key cannot be used
code-usage-crl = a revocation list cannot be read
code-usage-directory = the directory file cannot be read
code-usage-document = the document cannot be read
code-usage-empty = nothing to do
code-usage-gateway = the gateway cannot be reached
code-usage-not_edxml = the file is not edXML
code-usage-not_status = the file is not a status package
code-usage-trust = a trust anchor cannot be read
code-io-read = a file cannot be read
code-io-write = a file cannot be written
code-connection = the gateway cannot be reached
code-connection-refused = nothing listens at the gateway's address and port
code-connection-unresolved = the gateway's host name cannot be resolved
code-connection-server_untrusted = the gateway's certificate is not signed by the CA given with --ca
code-connection-name_mismatch = the gateway's certificate is not for the name in the URL
code-connection-server_expired = the gateway's certificate has expired or is not valid yet
code-connection-client_refused = the gateway refused the client certificate
code-connection-closed = the gateway closed the connection without answering
code-connection-timeout = the gateway did not answer in time
code-usage-profile = the connection profile cannot be read or written
code-runtime = the command cannot start
