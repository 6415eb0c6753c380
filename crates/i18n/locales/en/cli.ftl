# The lienthong command's local commands (verify, inspect, sign, certs, check-store,
# serve), English. Ids are "cli-", the command, then what the message is.
# The remote commands (send, inbox, queue…) have their own ids ("remote-…").

## verify: errors

cli-verify-error = error: { $message } [{ $code }]
cli-verify-cannot-read = cannot read { $file }: { $error }
cli-verify-bad-at = --at '{ $at }' is not a time (use 2026-11-22 or 2026-11-22T08:00:00Z)
cli-verify-not-xml = { $file }: not readable as XML: { $error }
cli-verify-document-without-receipt = --document goes with a receipt: it checks the receipt is for that document

## verify: notes and problems added to a receipt's report

cli-verify-note-receipt-time = certificates checked as of the receipt's ReceivedAt, when the gateway signed it (--at checks another time)
cli-verify-note-gateway-cert-expired = the gateway's certificate expired on { $date }: valid as of the time the receipt states, not today
cli-verify-note-receipt-for = the receipt is for { $file } (SHA-256 { $sha })
cli-verify-problem-receipt-other-document = the receipt is for a document with SHA-256 { $expected }, but { $file } has SHA-256 { $sha }

## verify: what was checked

cli-verify-what-receipt = receipt
cli-verify-what-edoc = edXML edoc from { $agency }
cli-verify-what-status = edXML status from { $agency }
cli-verify-what-xml = XML document
cli-verify-attachment = Attachment { $name }:

## verify: the report

cli-verify-verdict-valid = VALID: the signature is intact and trusted
cli-verify-verdict-unsigned = NOT SIGNED
cli-verify-verdict-legacy = LEGACY SIGNATURE: cannot be verified
cli-verify-verdict-invalid = INVALID
cli-verify-word-valid = VALID
cli-verify-word-invalid = INVALID
cli-verify-word-weak = WEAK
cli-verify-word-untrusted = UNTRUSTED
cli-verify-word-unsigned = UNSIGNED
cli-verify-word-legacy = LEGACY
cli-verify-label-document = Document:
cli-verify-label-receipt = Receipt:
cli-verify-label-signer = Signer:
cli-verify-label-agency = Agency:
cli-verify-label-valid = Valid:
cli-verify-label-serial = Serial:
cli-verify-label-chain = Chain:
cli-verify-label-checked-at = Checked at:
cli-verify-label-algorithm = Algorithm:
cli-verify-label-covers = Covers:
cli-verify-receipt = message { $message } (sha256 { $sha }) received by { $gateway } at hop { $hop }
cli-verify-no-agency = (the certificate names no agency)
cli-verify-validity = { $from } to { $to }
cli-verify-algorithm = { $algorithm }, digest { $digest }
cli-verify-problems = Problems:
cli-verify-notes = Notes:

## verify: a PDF's report

cli-verify-pdf-verdict-valid = VALID: every signature is intact and trusted
cli-verify-pdf-verdict-weak = WEAK: the signatures hold, but with a weak algorithm (SHA-1 or a short RSA key)
cli-verify-pdf-verdict-untrusted = UNTRUSTED: intact, but a signer does not chain to a trusted root
cli-verify-pdf-verdict-unsigned = NOT SIGNED: the PDF carries no signature
cli-verify-pdf-verdict-invalid = INVALID
cli-verify-pdf-unreadable = UNREADABLE: { $file }: { $message } [{ $code }]
cli-verify-pdf-label-file = File:
cli-verify-pdf-label-organisation = Organisation:
cli-verify-pdf-label-certificate = Certificate:
cli-verify-pdf-label-signed-at = Signed at:
cli-verify-pdf-label-timestamp = Time-stamp:
cli-verify-pdf-label-added-after = Added after:
cli-verify-pdf-file = { $file } ({ $revisions ->
        [one] { $revisions } revision
       *[other] { $revisions } revisions
    })
cli-verify-pdf-signature = Signature { $index } ({ $role }, field { $field }): { $verdict }
cli-verify-pdf-role-person = person
cli-verify-pdf-role-organisation = organisation
cli-verify-pdf-role-timestamp = timestamp
cli-verify-pdf-certificate = serial { $serial }, valid { $from } to { $to }
cli-verify-pdf-signed-at = { $time } (claimed)
cli-verify-pdf-signed-at-none = not stated (claimed)
cli-verify-pdf-timestamp = { $time } by { $tsa }
cli-verify-pdf-not-valid = NOT VALID
cli-verify-pdf-covers-whole-file = the whole file
cli-verify-pdf-covers-revision = revision { $revision } of { $revisions }
cli-verify-pdf-covers-unclear = an unclear part of the file
cli-verify-pdf-change-signatures = later signatures
cli-verify-pdf-change-metadata = document information and form structure
cli-verify-pdf-change-form-fields = form fields filled in
cli-verify-pdf-change-annotations = comments, stamps or other annotations
cli-verify-pdf-change-pages = pages added or removed
cli-verify-pdf-change-content = page content changed
cli-verify-pdf-change-other = other changes
cli-verify-pdf-checked-at = { $time }; revocation { $revocation }
cli-verify-pdf-revocation-checked = checked
cli-verify-pdf-revocation-unchecked = unchecked
cli-verify-pdf-revocation-revoked = revoked

## verify: --help

cli-verify-help-file = The signed edXML file (its envelope, then the signatures inside each PDF attachment), a receipt, or a PDF (every signature inside it)
cli-verify-help-trust = Trusted root certificates (PEM), repeatable. For a PDF they are added to the Government CA's roots, which are always trusted
cli-verify-help-intermediates = For PDF signatures: issuing CA certificates (PEM) offered to every chain, repeatable (signatures often carry only the signer's certificate)
cli-verify-help-crl = Certificate revocation lists (PEM or DER), repeatable
cli-verify-help-directory = The federation directory (TOML, or JSON if the name ends in `.json`): signing certificates pinned to an agency there (`signers`) speak for it, as at the gateway
cli-verify-help-at = Check certificates as of this time (RFC 3339 or YYYY-MM-DD, UTC); default now, or for a receipt the time it says the message was received. A PDF signature is checked as of its own time (its time-stamp's, else the time it claims); this time serves those that state none
cli-verify-help-document = For a receipt: the document file it should be for (its SHA-256 must match)
cli-verify-help-json = Print JSON

## inspect

cli-inspect-cannot-read = cannot read { $file }: { $error }
cli-inspect-error = error: { $file }: { $message } [{ $code }]
cli-inspect-edoc = edXML document (edoc)
cli-inspect-status = edXML status package
cli-inspect-label-from = From:
cli-inspect-label-to = To:
cli-inspect-label-document-id = DocumentId:
cli-inspect-label-code = Số/ký hiệu:
cli-inspect-label-date = Date:
cli-inspect-label-subject = Subject:
cli-inspect-label-business = Business:
cli-inspect-label-attachments = Attachments:
cli-inspect-label-signature = Signature:
cli-inspect-label-status = Status:
cli-inspect-label-about = About:
cli-inspect-label-description = Description:
cli-inspect-label-time = Time:
cli-inspect-to-none = (none)
cli-inspect-attachment-unnamed = (unnamed)
cli-inspect-attachment-unknown-type = unknown type
cli-inspect-attachment-size-unknown = size unknown
cli-inspect-attachment-size = { $bytes } bytes
cli-inspect-signature-none = none
cli-inspect-signature-legacy = present, legacy SDK form (not verifiable)
cli-inspect-signature-present = present ({ $algorithm }); check it with `lienthong verify`
cli-inspect-signature-unknown-algorithm = unknown algorithm
cli-inspect-warnings = Warnings ({ $count }):
cli-inspect-warning-at = line { $line }, column { $column }: { $message } [{ $code }]
cli-inspect-help-file = The edXML file
cli-inspect-help-json = Print JSON instead of text

## sign

cli-sign-error = error: { $message }
cli-sign-cannot-read = cannot read { $file }: { $error }
cli-sign-cannot-write = cannot write { $file }: { $error }
cli-sign-written = signed by { $signer }: written to { $file }
cli-sign-written-stdout = signed by { $signer }: written to standard output
cli-sign-warning = warning: a gateway will refuse this signed file: { $problem }
cli-sign-cert-expired = the signer's certificate expired on { $date }; sign with a valid certificate
cli-sign-cert-not-yet = the signer's certificate is valid only from { $date }
cli-sign-help-key = The signer's private key (PKCS#8 PEM)
cli-sign-help-cert = The signer's certificate (PEM)
cli-sign-help-chain = Intermediate certificates to include (PEM), repeatable
cli-sign-help-input = The file to sign
cli-sign-help-output = Where to write the signed file (default: standard output)

## certs

cli-certs-generate-failed = error: generating the PKI failed: { $error }
cli-certs-written = Development PKI (DEVELOPMENT ONLY) written to { $dir }: { $count ->
        [one] { $count } file
       *[other] { $count } files
    }
cli-certs-write-failed = error: writing to { $dir }: { $error }
cli-certs-help-dev = Generate the development PKI (DEVELOPMENT ONLY: the keys are not secret)
cli-certs-help-out = Output directory
cli-certs-help-status = Operators: every certificate a running gateway depends on (its own, its next hops', its clients') and the days each has left, the one expiring first first

## store migrate

cli-store-help-migrate = Copy a stopped gateway's store into an empty store on another engine (sled ↔ PostgreSQL), then check the copy
cli-store-help-from = The store to copy: sled:DIR, postgres://USER@HOST:PORT/DATABASE or config:FILE (the store a gateway configuration names)
cli-store-help-to = The empty store to fill: sled:DIR, postgres://… or config:FILE
cli-store-help-password-file = The password of a postgres:// store, from this file
cli-store-error = error: { $message }
cli-store-endpoint = { $given }: say where the store is: sled:DIR, postgres://USER@HOST:PORT/DATABASE or config:FILE
cli-store-dest-not-empty = { $dest } is not empty: a store is copied only into an empty one (a new folder, or a new database)
cli-store-same = { $store } is both the source and the destination
cli-store-copy-failed = the copy stopped: { $error } (the destination holds part of it: empty it, or make a new one, before trying again)
cli-store-copied = copied { $from } to { $to }: { $entries } entries, { $payloads } payloads ({ $bytes } bytes), { $seconds } s
cli-store-states-differ = messages per state differ: { $before } in the source, { $after } in the copy
cli-store-verified = verified: the store check found no problem in the copy ({ $messages } messages, { $payloads } payloads read back and their SHA-256 compared)

## check-store

cli-check-store-error = error: { $message }
cli-check-store-no-store-given = error: give --config FILE or --data DIR
cli-check-store-no-dir = error: { $dir }: no store here (data_dir does not exist)
cli-check-store-no-meta = error: { $dir }: no store here (no meta/db): is data_dir right?
cli-check-store-still-running = (is the gateway still running? stop it first: the store is opened exclusively)
cli-check-store-check-failed = error: checking { $dir }: { $error }
cli-check-store-counts = { $dir }: { $messages } messages, { $queue } queue entries, { $inbox } inbox entries, { $payloads } payloads checked
cli-check-store-hashes-read = SHA-256 read back
cli-check-store-healthy = healthy
cli-check-store-problems = { $count } problem(s):
cli-check-store-help-config = The gateway configuration (TOML); its `gateway.data_dir` is checked
cli-check-store-help-data = A data folder to check instead (e.g. a backup made by `lienthong backup`; opening it applies the store's recovery, as a restore would)
cli-check-store-help-hashes = Also read every payload back and compare its SHA-256 (reads the whole log)

## serve

cli-serve-error = error: { $message }
cli-serve-config-valid = { $file }: configuration is valid (gateway { $gateway })
cli-serve-warning = warning: { $message }
cli-serve-no-runtime = error: cannot start the runtime: { $error }
cli-serve-no-signals = error: cannot install signal handlers
cli-serve-help-config = The gateway configuration (TOML)
cli-serve-help-log-format = Log format
cli-serve-help-check = Check the configuration and every key, certificate and CRL it names, then exit
cli-serve-help-log-text = Human-readable lines
cli-serve-help-log-json = One JSON object per line

## The command line itself: help pages and usage errors
cli-help-about = lienthong: inter-agency electronic document exchange gateway (edXML, QCVN 102:2016).
cli-help-usage = Usage:
cli-help-commands = Commands
cli-help-command = COMMAND
cli-help-options = Options
cli-help-arguments = Arguments
cli-help-lang = The language of everything printed: vi (the default) or en; without it, LC_ALL, LC_MESSAGES or LANG
cli-help-help = Print help
cli-help-version = Print the version
cli-usage-error = error: { $what }
cli-usage-unknown-argument = unknown argument { $arg }
cli-usage-unknown-command = no command '{ $command }'
cli-usage-invalid-value = '{ $value }' is not a valid value for { $arg }
cli-usage-missing = a required argument is missing: { $arg }
cli-usage-missing-command = a command is needed
cli-usage-conflict = { $arg } cannot be used with another argument given
cli-usage-values = wrong number of values for { $arg }
cli-usage-other = the command line cannot be read
cli-usage-see-help = For more, add --help.

## Help: commands

cli-help-cmd-demo = Show lienthong working end to end with built-in sample data; nothing to set up
cli-help-cmd-inspect = Show what an edXML document or status package says
cli-help-cmd-sign = Sign a file with an enveloped XML signature over the whole document
cli-help-cmd-verify = Check who signed a document, a receipt or a PDF, and whether it changed since
cli-help-cmd-certs = Certificates: `certs dev --out DIR` makes the development PKI; `certs status` shows when the certificates a gateway depends on expire
cli-help-cmd-serve = Run one gateway
cli-help-cmd-send = Submit edXML files (a file, or every .edxml file in a folder) to a gateway
cli-help-cmd-inbox = An agency's inbox: list, get, ack
cli-help-cmd-status = Submit a status package (alias of `send` for one file)
cli-help-cmd-track = Track a sent message: per-recipient state, hops, receipts, statuses, history
cli-help-cmd-queue = Operators: queues, messages by state, retry/suspend/resume/cancel
cli-help-cmd-store = Operators: move a stopped gateway's store to another engine (store migrate)
cli-help-cmd-check-store = Operators: check a stopped gateway's store (messages, queues, inboxes, payloads)
cli-help-cmd-backup = Operators: back up a running gateway's store (into its `[backup] dir`) and wait
cli-help-cmd-report = Operators: the compliance report per agency for a period, grouped by level (a table, CSV, XLSX or JSON)
cli-help-cmd-profile = Connection profiles: which gateway, with which certificates, under a name (add, list, remove)
