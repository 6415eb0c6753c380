# Signatures in XML documents and receipts (lienthong-dsig): problems and notes of a report.

## What a signature covers.
sig-covers-whole = the whole document
sig-covers-element = element <{ $name }> ({ $uri })

## The signature itself.
sig-unsigned = the document is not signed
sig-legacy-form = legacy signature form of the national SDK (Signature outside the XML Signature namespace): unverifiable
sig-multiple = { $count } signatures found where exactly one is expected
sig-misplaced = the signature is not where this kind of document places it (a child of { $parent })
sig-duplicate-id = the Id '{ $id }' is used by more than one element
sig-no-signed-info = the signature has no SignedInfo as its first child
sig-no-signature-value = the signature has no SignatureValue after SignedInfo
sig-signed-info-start = SignedInfo must start with CanonicalizationMethod and SignatureMethod
sig-legacy-c14n = legacy, non-standard canonicalization URI '{ $uri }': unverifiable
sig-unsupported-c14n = unsupported canonicalization '{ $uri }'
sig-hmac = HMAC signatures are refused: a shared secret cannot prove who signed
sig-unsupported-method = unsupported signature method '{ $uri }'
sig-signed-info-references = SignedInfo must hold one or more Reference elements and nothing else
sig-digest-mismatch-whole = the document was changed after signing (digest mismatch in the whole document)
sig-digest-mismatch-element = the document was changed after signing (digest mismatch in element <{ $name }> ({ $uri }))
sig-legacy-transform = legacy, non-standard transform URI of the national SDK: unverifiable
sig-partial-element = the signature does not cover the whole document (it covers only element <{ $name }> ({ $uri })), so what is read may not be what was signed
sig-partial = the signature does not cover the whole document (it covers only { $covers }), so what is read may not be what was signed
sig-no-certificate = the signature carries no X.509 certificate, so the signer cannot be identified
sig-bad-signature-value-base64 = SignatureValue is not valid base64
sig-bad-value = the signature value does not verify with the signer's certificate (the signed header was changed, or the wrong certificate was attached)
sig-weak = weak algorithm: { $algorithm } with { $digest } (SHA-1 is no longer considered secure)
sig-cert-unreadable = the signer's certificate is unreadable
sig-wrong-agency = signed by { $who } but the document says it is from { $claimed }
sig-wrong-agency-pin = signed by { $who } but the document says it is from { $claimed }; the certificate names no agency code: if it signs for { $code }, pin it in the directory (signers = ["{ $fingerprint }"])

## References and transforms.
sig-ref-no-uri = a Reference without a URI is refused (it would point at something outside the document)
sig-ref-xpointer = XPointer reference '{ $uri }' is refused
sig-ref-dangling = the reference '{ $uri }' points at no element of this document
sig-ref-external = external reference '{ $uri }' is refused: only the document itself can be signed
sig-transforms-other = Transforms holds something other than Transform
sig-transforms-two-c14n = more than one canonicalization transform
sig-transform-xpath = XPath transforms are refused
sig-transform-xpath2 = XPath Filter 2.0 transforms are refused
sig-transform-xslt = XSLT transforms are refused
sig-transform-base64 = base64 transforms are refused
sig-transform-unsupported = unsupported transform '{ $uri }'
sig-ref-digest-parts = a Reference must hold DigestMethod and DigestValue
sig-unsupported-digest = unsupported digest method '{ $uri }'
sig-bad-digest-base64 = DigestValue is not valid base64
sig-c14n-relative-namespace = relative namespace URI '{ $uri }' cannot be canonicalized
sig-c14n-not-an-element = the node to canonicalize is not an element

## The key and the certificates.
sig-retrieval-method = RetrievalMethod is refused: the key must be in the signature itself
sig-bad-certificate-base64 = an X509Certificate is not valid base64
sig-cert-ca-as-signer = the signing certificate is a CA certificate, not a signer's
sig-cert-no-key-usage = the signer's certificate has no KeyUsage extension (digitalSignature or nonRepudiation is required)
sig-cert-key-usage = the signer's certificate is not for signing (KeyUsage has neither digitalSignature nor nonRepudiation)
sig-cert-no-roots = no trusted root certificates were given, so the signer cannot be trusted (use --trust)
sig-cert-malformed = the signer's certificate is malformed ({ $error })
sig-cert-expired = certificate expired on { $date } (checked at { $checked })
sig-cert-not-yet-valid = certificate is not valid until { $date } (checked at { $checked })
sig-cert-revoked = certificate was revoked by its issuer (serial { $serial }, issuer { $issuer })
sig-cert-untrusted = certificate was not issued by a trusted authority (issuer: { $issuer }); add that authority's root with --trust
sig-cert-crl-expired = the revocation list is out of date (its next update was due { $date }); get a fresh CRL
sig-cert-revocation-unknown = the revocation status of the certificate is unknown
sig-cert-bad-chain-signature = the certificate says it was issued by { $issuer }, but it was not signed by the trusted authority of that name (forged, or from another authority with the same name)
sig-cert-invalid = the certificate chain is not valid ({ $error })
sig-note-no-crl = revocation was not checked: no CRL was given
sig-note-no-issuer-crl = no CRL from the issuer ({ $issuer }) was given; revocation not checked for the signer

## Receipts.
sig-receipt-wrong-gateway = the receipt says gateway { $gateway } received the message, but it was signed by a certificate of { $named }
sig-receipt-no-gateway = the receipt says gateway { $gateway } received the message, but it was signed by a certificate of no gateway

## The verdict of `lienthong verify` on a signature that holds, when nobody said whom to trust.
sig-verdict-untrusted = UNTRUSTED: the signature is intact, but no trust anchors were given (--trust)
sig-untrusted-hint = no trust anchors given (--trust): to know whether the signer can be trusted, give the root certificate of the authority that issued the signer's certificate, e.g. --trust ca.pem
