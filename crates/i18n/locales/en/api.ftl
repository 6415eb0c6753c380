# The gateway's API: the `message` of its JSON errors, in the language the request's
# Accept-Language chooses. Each error's stable `code` is beside it.

## Who may call
api-no-client-certificate = a client certificate is required
api-client-revoked = this client certificate has been revoked
api-forbidden = { $needed }, not { $caller }
api-for-agency = this endpoint is for an agency's DMS
api-for-gateway = this endpoint is for gateways
api-for-operator = this endpoint needs an operator certificate
api-for-reader = this endpoint needs an operator or monitor certificate
api-parent-only = only this gateway's parent may ask for its figures
api-wrong-gateway = { $caller } is homed at { $home }: its DMS submits there, not at { $here }
api-unknown-agency = { $caller } is not in the directory of { $here }
api-wrong-agency = the document is from { $sender } but this certificate acts for { $caller }
api-system-not-allowed = the document is from { $sender }; system '{ $system }' may send as { $allowed } only
api-forgery = a browser request needs this console's anti-forgery token (header x-lienthong-csrf) and must come from this gateway's own pages

## Requests
api-no-endpoint = no such endpoint
api-send-json = send Content-Type: application/json (the body may be {"{"}{"}"})
api-not-a-message-id = '{ $id }' is not a message id
api-uri-too-long = the request's path and query are { $bytes } bytes; this gateway accepts at most { $max }
api-too-many-headers = the request has { $count } header fields; this gateway accepts at most { $max }
api-headers-too-large = the request's header fields take { $bytes } bytes; this gateway accepts at most { $max }
api-timeout = the request took too long
api-busy = too many requests in progress; try again shortly
api-rate-limited = too many requests from this peer; slow down
api-body-too-large = the body is larger than { $max } bytes
api-body-too-slow = the body arrived slower than { $rate } bytes per second
api-body-unreadable = reading the body failed
api-body-client-share = this client already has as many document bodies in progress as one client may; finish or wait for those first
api-body-memory = the gateway holds as many document bodies as its memory allows; try again shortly
api-bad-parameter = query parameter { $name } has a value this endpoint cannot read
api-missing-parameter = query parameter { $name } is required
api-bad-query = the query string cannot be read
api-bad-limit = limit={ $value }: give a number of items from 1 to { $max }
api-bad-cursor = after='{ $value }' is not a cursor
api-bad-kind = kind='{ $value }': use edoc or status
api-bad-wait = wait={ $value }: at most { $max } seconds
api-bad-agency = agency '{ $value }' is not a valid agency code
api-bad-state = state='{ $value }' is not a message state (nor 'all')
api-bad-time = { $name }='{ $value }' is not a time (use 2026-11-22 or 2026-11-22T08:00:00Z)
api-bad-sender = sender '{ $value }' is not a valid agency code (give sender=CODE when the DocumentId does not start with it)
api-bad-action-body = expected no body or {"{"}"note": "why"{"}"}
api-bad-note = the note is not acceptable: { $reason }
api-no-action = no action '{ $action }' (retry, suspend, resume, cancel)
api-bad-ack-body = expected {"{"}"result": "done"|"fail", "note": …{"}"}
api-ack-note-too-long = note is longer than 4096 bytes
api-header-missing = header { $name } is missing
api-header-invalid = header { $name } is not valid
api-checksum = the body does not match lienthong-sha256
api-bad-value = { $name }='{ $value }' is not valid
api-bad-choice = { $name }='{ $value }': use one of { $choices }
api-period-how = give the period as from=YYYY-MM-DD&to=YYYY-MM-DD, or month=YYYY-MM, or quarter=YYYYQn (one of the three)
api-period-reversed = to ({ $to }) is before from ({ $from })
api-period-too-long = at most { $max } days in one report
api-own-only = agency: an agency sees only its own

## Documents
api-not-xml = not readable as XML: { $reason }
api-not-edxml = not an edXML document or status package
api-bad-recipient = a recipient code is not a valid agency code
api-no-recipients-edoc = the document has no To recipient
api-no-recipients-status = the status package has no ResponseFor/OrganId to return to
api-signature-refused = the document's signature is not acceptable: { $problems }
api-pdf-missing = the document has no PDF attachment; a valid organisation signature of { $sender } on its main PDF is required
api-pdf-unsigned = the main PDF ({ $file }) lacks a valid organisation signature of { $sender }
api-routing-unknown = cannot route every recipient: agency { $recipient } is not in the federation directory
api-routing-refused = cannot route every recipient: { $recipient }: { $reason }

api-crls-stale = the revocation lists in use passed their nextUpdate on { $at }; fetch fresh ones (trust.crls) and reload

## Relays between gateways
api-relay-not-neighbour = { $from } is not a neighbour of { $here } in the directory
api-relay-not-through = { $from } may not relay { $recipient } to { $here }: the directory does not route it through this link
api-relay-hops-end = the hop list must end with the sending gateway { $from }
api-relay-hops-path = the hop list is not a path through the directory: { $a } does not hand on to { $b }
api-relay-not-recipient = { $recipient } is not a recipient of this document
api-relay-outside = { $from } relays a message from { $sender }, which is homed at { $home }, outside { $from }'s subtree
api-relay-own-subtree = { $from } relays a message from { $sender }, which is homed at { $home }, in our own subtree: it leaves through us and never comes back
api-relay-not-home = the message from { $sender } did not start at its home gateway { $home } (hop list: { $hops })
api-relay-record-unknown = the document's signature is not valid ({ $verdict }), and its sender { $sender } is not in the directory, so no home gateway can have accepted it under 'record'

## Messages and the store
api-not-in-inbox = no such message in this agency's inbox
api-not-sent-by-you = no such message sent by this agency
api-not-relayed-by-you = no such message relayed here by this gateway
api-store-unavailable = the gateway cannot store anything right now (storage failure); nothing was stored, try again later
api-internal = internal error; see the gateway log
api-backup-not-configured = no backup folder: set [backup] dir in the configuration and restart
api-backup-running = backup { $name } is running; one at a time
api-bad-backup-body = a backup takes no parameters: send no body or {"{"}{"}"}

## Why a send failed, for operators
reason-refused = the next gateway refused the message: { $code }
reason-peer-status = the next gateway answered with an error (HTTP { $status })
reason-receipt = the next gateway's receipt did not hold up (not signed by it, or for another message)
reason-timeout = the next gateway did not answer in time
reason-connection-refused = the next gateway refused the connection: it is not running, or not at this address and port
reason-name-unknown = the next gateway's host name is unknown (DNS)
reason-peer-certificate-untrusted = the next gateway's certificate is not signed by a CA this gateway trusts
reason-peer-certificate-expired = the next gateway's certificate has expired or is not valid yet
reason-peer-certificate-name = the next gateway's certificate is not for this address
reason-peer-certificate-revoked = the next gateway's certificate has been revoked
reason-our-certificate-refused = the next gateway refused this gateway's certificate (another CA, expired or revoked)
reason-no-client-certificate = this gateway has no client certificate to present
reason-connection-lost = the connection broke off during the transfer
reason-connection-failed = the next gateway could not be reached
reason-other = the send failed

## Message states
state-accepted = accepted, not routed yet
state-queued = queued
state-in-flight = being sent
state-retry-scheduled = waiting to retry
state-suspended = suspended by an operator
state-dead = dead letter
state-relayed = handed on
state-delivered = in the inbox, not fetched yet
state-fetched = fetched by the recipient
state-cancelled = cancelled by an operator
recipient-queued = queued for { $hop }
recipient-in-flight = being sent to { $hop } (attempt { $attempt })
recipient-retry = sending to { $hop } failed { $attempt } times; next attempt at { $at }
recipient-relayed = handed to { $hop }, which signed a receipt
recipient-dead = dead letter: { $hop } could not be reached
