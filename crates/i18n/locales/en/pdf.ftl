# Signatures inside PDF files (lienthong-pdfsig): problems and notes of a report.

## pieces of other messages

# Nothing: an unused place in a list, or no prefix.
pdf-empty = {""}
pdf-prefix-tsa = the time-stamping authority:{" "}
pdf-prefix-tsa-short = TSA:{" "}

## the signature's place in the file: ByteRange and /Contents

pdf-subfilter = the signature format '{ $format }' is not supported
pdf-byterange-missing = the signature has no /ByteRange
pdf-byterange-value = the /ByteRange holds a negative or non-integer value
pdf-byterange-count = the /ByteRange has { $count } numbers, not 4
pdf-byterange-start = the /ByteRange does not start at the beginning of the file
pdf-byterange-overlap = the two parts of the /ByteRange overlap
pdf-byterange-past-end = the /ByteRange runs past the end of the file ({ $size } bytes)
pdf-byterange-not-revision = the signed bytes do not end where a revision of the file ends
pdf-gap-outside = the /ByteRange gap is outside the file
pdf-gap-not-contents = the bytes left out of the /ByteRange are not the /Contents hex string
pdf-gap-not-one-string = the bytes left out of the /ByteRange are not one hex string
pdf-gap-other-contents = the bytes left out of the /ByteRange are not this signature's /Contents
pdf-gap-before-dictionary = the /ByteRange gap lies before the signature dictionary
pdf-contents-too-large = the /Contents is { $size } bytes; at most { $limit } are read

## what was added after a signature ($c1 to $c7: the changes, from the pdf-change- messages)

pdf-later-revision = the signature covers revision { $revision } of { $revisions }; added after it: { $c1 }{ $c2 }{ $c3 }{ $c4 }{ $c5 }{ $c6 }{ $c7 }
pdf-modified = the file was changed after this signature in ways it does not allow: { $c1 }{ $c2 }{ $c3 }{ $c4 }{ $c5 }{ $c6 }{ $c7 }
pdf-change-nothing = nothing that changes the document
pdf-change-signatures = later signatures
pdf-change-signatures-more = , later signatures
pdf-change-metadata = document information and form structure
pdf-change-metadata-more = , document information and form structure
pdf-change-form-fields = form fields filled in
pdf-change-form-fields-more = , form fields filled in
pdf-change-annotations = comments, stamps or other annotations
pdf-change-annotations-more = , comments, stamps or other annotations
pdf-change-pages = pages added or removed
pdf-change-pages-more = , pages added or removed
pdf-change-content = page content changed
pdf-change-content-more = , page content changed
pdf-change-other = other changes to the document
pdf-change-other-more = , other changes to the document

## the CMS and the signature value

pdf-cms-trailing = the /Contents holds data after the CMS
pdf-cms-unreadable = the signature data cannot be read: { $detail }
pdf-cms-no-signer = the CMS has no signer
pdf-cms-signers = the CMS has { $count } signers; the first is checked
pdf-cms-no-certificate = the CMS does not carry the signer's certificate
pdf-cert-unreadable = the signer's certificate cannot be read
pdf-digest-unsupported = the digest algorithm { $oid } is not supported
pdf-sha1-changed = the signed bytes were changed after signing (their SHA-1 is not the one signed)
pdf-sha1-no-digest = an adbe.pkcs7.sha1 signature without the signed digest
pdf-detached-content = a detached signature that carries content
pdf-digest-changed = the signed bytes were changed after signing (their digest is not the one signed)
pdf-no-message-digest = the signed attributes have no messageDigest
pdf-content-type = the signed content type is not data
pdf-signing-cert-unreadable = the signed signing-certificate attribute cannot be read
pdf-signing-cert-hash = the signing-certificate attribute uses an unknown hash
pdf-signing-cert-other = the signed signing-certificate attribute names another certificate than the one carried
pdf-bad-signature = the signature value does not verify with the signer's certificate (forged, or the signed attributes were changed)
pdf-unsupported-pss = RSASSA-PSS with parameters the verifier does not support is not supported
pdf-unsupported-algorithm = the signature algorithm { $oid } is not supported
pdf-unsupported-key-type = an unsupported key type with { $hash } is not supported
pdf-unsupported-combination = { $key } with { $hash } is not supported
pdf-leaf-only = the signature carries only the signer's certificate; its issuers came from the trust configuration
pdf-no-key-usage = the signer's certificate has no KeyUsage extension
pdf-key-usage = the signer's certificate is not for signing (neither digitalSignature nor nonRepudiation)

## times and time-stamps ($problems: the time-stamp's problems, joined by "; ")

pdf-timestamp-weak = the time-stamp uses SHA-1; the time it proves is used with that caveat
pdf-timestamp-broken = the time-stamp does not hold: { $problems }
pdf-timestamp-untrusted = the time-stamp is not trusted ({ $problems }); the claimed signing time is used
pdf-time-local = the claimed signing time is Vietnam local time labelled UTC (7 hours ahead of the time-stamp); the time-stamp is used
pdf-time-after = the claimed signing time is { $minutes } minutes after the time-stamp; the time-stamp is used
pdf-time-before = the claimed signing time is { $minutes } minutes before the time-stamp; the time-stamp is used
pdf-no-signing-time = the signature claims no signing time; certificates were checked at the verification time
pdf-doc-timestamp-changed = the signed bytes were changed after the document time-stamp (its imprint is not their digest)
pdf-doc-timestamp-broken = the document time-stamp does not hold: { $problems }
pdf-doc-timestamp-weak = weak algorithms: the document time-stamp uses SHA-1, a short RSA key or a SHA-1 certificate link
pdf-tsp-unreadable = the time-stamp cannot be read: { $detail }
pdf-tsp-no-tstinfo = the time-stamp token does not hold TSTInfo
pdf-tsp-tstinfo-unreadable = the time-stamp's TSTInfo cannot be read
pdf-tsp-imprint-unsupported = the time-stamp's imprint algorithm { $oid } is not supported
pdf-tsp-imprint-signature = the time-stamp's imprint does not match the signature
pdf-tsp-imprint-bytes = the time-stamp's imprint does not match the signed bytes
pdf-tsp-no-signer = the time-stamp has no signer
pdf-tsp-no-certificate = the time-stamp does not carry the TSA's certificate
pdf-tsp-cert-unreadable = the TSA's certificate cannot be read
pdf-tsp-digest-unsupported = the time-stamp's digest algorithm is not supported
pdf-tsp-content-changed = the time-stamp's content does not match its signed digest
pdf-tsp-bad-signature = the time-stamp's signature does not verify

## the certificate chain ($prefix: nothing for the signer's, pdf-prefix-tsa… for a time-stamping authority's)

pdf-chain-unreadable = { $prefix }the signer's certificate cannot be read
pdf-chain-no-roots = { $prefix }no trusted root certificates were given, so the signer cannot be trusted
pdf-chain-malformed = { $prefix }the signer's certificate is malformed ({ $detail })
pdf-chain-expired = { $prefix }a certificate in the chain had expired ({ $expired }) at the signing time { $at }
pdf-chain-not-yet-valid = { $prefix }a certificate in the chain was not valid until { $from } (signing time { $at })
pdf-chain-revoked = { $prefix }the certificate was revoked by its issuer (serial { $serial }, issuer { $issuer })
pdf-chain-untrusted = { $prefix }the certificate was not issued by a trusted authority (issuer: { $issuer })
pdf-chain-bad-signature = { $prefix }a certificate in the chain is not signed by the authority it names ({ $issuer })
pdf-chain-legacy = { $prefix }the chain uses a legacy algorithm (SHA-1 or a short RSA key), which this trust configuration refuses
pdf-chain-ca = { $prefix }the signing certificate is a CA certificate
pdf-chain-invalid = { $prefix }the certificate chain is not valid ({ $detail })
pdf-crl-none-signer = no configured CRL covers the signer's issuer; revocation was not checked
pdf-crl-none-tsa = no configured CRL covers the time-stamping authority's issuer; revocation was not checked

## weak algorithms: the reasons that hold (d: the format or digest, k: the key, c: the chain)

pdf-weak-format = the adbe.pkcs7.sha1 format
pdf-weak-sha1 = a SHA-1 digest
pdf-weak-d = weak algorithms: { $digest }
pdf-weak-dk = weak algorithms: { $digest }, an { $key } key
pdf-weak-dc = weak algorithms: { $digest }, a SHA-1 or short-key link in the certificate chain
pdf-weak-dkc = weak algorithms: { $digest }, an { $key } key, a SHA-1 or short-key link in the certificate chain
pdf-weak-k = weak algorithms: an { $key } key
pdf-weak-kc = weak algorithms: an { $key } key, a SHA-1 or short-key link in the certificate chain
pdf-weak-c = weak algorithms: a SHA-1 or short-key link in the certificate chain
pdf-weak-none = weak algorithms:{" "}
