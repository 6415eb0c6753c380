# The client commands of `lienthong` (crates/cli/src/remote): send, status, inbox, track,
# queue, backup, certs status, report, queue overdue. English.
# Ids: "remote-", then the command. Column headers: "remote-<table>-col-<column>".
# Keep each message's variables the same as in vi/remote.ftl.

## shared: failures, times, words

remote-error = error: { $message }
remote-error-refused = error: { $code }: { $message }
remote-error-detail = detail: { $detail }
remote-error-item = error: { $item }: { $error }
remote-error-item-refused = error: { $item }: { $code }: { $message }
remote-runtime = cannot start the async runtime: { $error }
remote-gateway-not-https = --gateway '{ $url }' must be an https:// URL (the gateway speaks mutual TLS only)
remote-certificates = certificates: { $error }
remote-cannot-reach = cannot reach { $url }: { $why }
remote-no-answer = the gateway did not answer in time
remote-cannot-read = cannot read { $path }: { $error }
remote-cannot-write = cannot write { $path }: { $error }
remote-cannot-write-stdout = cannot write to stdout: { $error }
remote-age-seconds = { $n }s
remote-age-minutes = { $n }m
remote-age-hours = { $n }h
remote-age-days = { $n }d
remote-kind-edoc = edoc
remote-kind-status = status
remote-gateway = gateway { $gateway }
remote-next-page = next page: --after { $next }
# What a message is known by (the gateway's `view`): under `track`'s first line, and under
# each row of `inbox list`. $from, $to: "Name (CODE)", or the code alone.
remote-view-number = number: { $number }
remote-view-subject = subject: { $subject }
remote-view-from = from: { $from }
remote-view-to = to: { $to }

## send, status

remote-send-accepted = { $file }: { $id } -> { $recipients }
remote-send-accepted-duplicate = { $file }: { $id } -> { $recipients } (duplicate: already accepted)
remote-send-no-edxml = { $dir } holds no .edxml files
# In the progress bar: the time left.
remote-send-eta = eta
remote-send-task-failed = error: a submission task failed: { $error }
remote-send-summary = { $total } files: { $accepted } accepted ({ $duplicates } already there), { $refused } refused
remote-send-summary-failed = { $failed } failed
remote-send-summary-not-sent = { $n } not sent (the gateway could not be reached)
remote-status-not-edxml = { $file }:{ $line }:{ $column }: not readable as edXML: { $error }
remote-status-is-document = { $file } is a document, not a status package (use `lienthong send`)
remote-status-sent = { $line } (status { $code } { $label })

## inbox

remote-inbox-empty = the inbox has nothing after this cursor
remote-inbox-col-cursor = CURSOR
remote-inbox-col-id = ID
remote-inbox-col-kind = KIND
remote-inbox-col-from = FROM
remote-inbox-col-bytes = BYTES
remote-inbox-col-delivered = DELIVERED
remote-inbox-col-acked = ACKED
remote-inbox-acked-done = done
remote-inbox-acked-fail = fail
remote-inbox-signature-of = message { $id }
remote-inbox-written = { $id }: { $bytes } bytes written to { $path }
# $result: done or fail.
remote-inbox-acked = { $id }: acknowledged ({ $result })

## track

remote-track-saved = saved { $path }
remote-track-no-receipts = no receipts yet: the message has not been handed to another gateway
remote-track-head = { $id } { $kind } from { $sender }: { $state }
remote-track-document = document: { $document }
remote-track-sha256 = sha256:   { $sha256 }
remote-track-accepted = accepted: { $at }
remote-track-relayed = relayed from { $gateway } (hops { $hops })
remote-track-signature = signature: { $verdict }
remote-track-signature-recorded = signature: { $verdict } (accepted under a record policy)
remote-track-pdf = pdf { $name }: { $verdict }
remote-track-pdf-sender-signed = signed by the sending agency
remote-track-recipients = recipients:
remote-track-end-to-end = end to end:
remote-track-at-gateway = at { $gateway }: { $state }
remote-track-queue = queue:
remote-track-queue-entry = { $hop }  { $status }  attempt { $attempt }  due { $due }  for { $recipients }
remote-track-receipts = receipts:
remote-track-receipts-none = receipts: none
remote-track-receipt = hop { $hop }  received by { $gateway }  at { $at }
remote-track-receipt-unreadable = to { $hop }  at { $at }  (the stored receipt could not be read)
# In place of a receipt's file name, when the gateway's answer has no signed XML to save.
remote-track-receipt-no-xml = (no signed XML in the answer: not saved)
remote-track-statuses = statuses:
remote-track-statuses-none = statuses: none
remote-track-status = { $code } { $label }  from { $from }  at { $at }
remote-track-history = history:

## queue

# How a search reads after its state: "dead, of 000.00.21.H50, since 2026-11-30".
remote-search-agency = of { $agency }
remote-search-since = since { $time }
remote-search-until = until { $time }
remote-search-reason = for { $reason }
remote-agencies-col-agency = AGENCY
remote-agencies-col-sent = SENT
remote-agencies-col-received = RECEIVED
remote-agencies-col-unacked = UNACKED
remote-agencies-col-oldest-unacked = OLDEST_UNACKED
remote-agencies-col-failed = FAILED
remote-agencies-col-name = NAME
remote-link-down = down
remote-link-up = up
remote-queue-no-queues = no queues
remote-queue-col-hop = HOP
remote-queue-col-depth = DEPTH
remote-queue-col-in-flight = IN_FLIGHT
remote-queue-col-oldest = OLDEST
remote-queue-col-link = LINK
remote-queue-link-down = link to { $hop } down since { $since }, { $failures } failure(s) in a row: { $error }
remote-queue-cert-expired = certificate of { $hop } expired { $at } ({ $days } days): its operators must renew it
remote-queue-cert-expires = certificate of { $hop } expires { $at } ({ $days } days): its operators must renew it
# $states: each state with its count, "queued=2 dead=1".
remote-queue-messages = messages: { $states }
remote-queue-messages-none = messages: none
remote-messages-col-id = ID
remote-messages-col-state = STATE
remote-messages-col-kind = KIND
remote-messages-col-from = FROM
remote-messages-col-accepted = ACCEPTED
remote-messages-col-recipients = RECIPIENTS
# The operator actions, as verbs: "{ $action } done", "nothing to { $action }".
remote-action-retry = retry
remote-action-suspend = suspend
remote-action-resume = resume
remote-action-cancel = cancel
remote-queue-no-document = no document { $document } from { $sender }
remote-queue-no-messages = no messages ({ $search })
remote-queue-action-done = { $id }: { $action } done
remote-queue-bulk-none = no messages ({ $search }): nothing to { $action }
remote-queue-bulk-found = { $n } messages found ({ $search }); the first ones:
remote-queue-bulk-confirm = nothing done yet: add --yes to { $action } them
remote-queue-task-failed = error: an action task failed: { $error }
remote-queue-bulk-done = { $action }: { $done } of { $total } messages ({ $search }) done, { $failed } failed

## backup, certs status

remote-backup-started = backup { $name } started; `GET /v1/backups` says when it is done
remote-backup-progress = backup { $name }
remote-backup-done = backup { $name } done: { $entries } metadata entries ({ $replayed } written while it ran), { $segments } payload segment(s) of { $bytes } bytes; writes paused { $paused } ms, took { $took } ms
remote-backup-lost = it is neither running nor listed (was the gateway restarted?)
remote-backup-failed = error: backup { $name } failed: { $why }
remote-certs-own = own
remote-certs-next-hop = next hop
remote-certs-client = client
remote-certs-not-connected = { $hop } (not connected yet)
remote-certs-col-what = WHAT
remote-certs-col-who = WHO
remote-certs-col-expires = EXPIRES
remote-certs-col-days = DAYS
remote-certs-col-subject = SUBJECT
remote-certs-expiring = { $n } certificate(s) expire within { $days } days

## report, queue overdue

remote-report-unreadable = the gateway's report is unreadable: { $error }
remote-report-wrote = wrote { $path } ({ $bytes } bytes)
remote-report-partial = the report is partial: { $n } gateway(s) below did not answer (named in the report)
remote-overdue-notices = receipt notices (01/02) overdue: { $total }
remote-overdue-completions = completions (06) past the due date: { $total }
remote-overdue-col-recipient = RECIPIENT
remote-overdue-col-sender = SENDER
remote-overdue-col-number = NUMBER
remote-overdue-col-delivered = DELIVERED
remote-overdue-col-due = DUE
remote-overdue-col-late = LATE
remote-overdue-col-urgent = URGENT
remote-overdue-col-subject = SUBJECT
# $p: the edXML priority, 1 (khẩn) to 4 (hỏa tốc hẹn giờ).
remote-overdue-priority = P{ $p }
remote-overdue-first = (first { $n }; --limit N for more)

## Help

remote-help-conn-gateway = Gateway URL, e.g. https://127.0.0.1:8441
remote-help-conn-cert = Client certificate (PEM): an agency DMS certificate, or an operator's for `queue`
remote-help-conn-key = Client key (PKCS#8 PEM)
remote-help-conn-ca = CA certificate(s) the gateway's certificate chains to (PEM), repeatable
remote-help-send-path = An edXML file, or a folder: every `*.edxml` file in it is sent, in name order
remote-help-send-json = Print the gateway's JSON (for a folder: one object with every file's answer)
remote-help-send-concurrency = Files in flight at once when sending a folder
remote-help-send-quiet = Print only the message id of each accepted file, one per line (for scripts: ID=$(lienthong send -q FILE))
remote-help-status-file = The status package (edXML with a StatusCode)
remote-help-status-json = Print the gateway's JSON
remote-help-inbox-list = List the messages in the agency's inbox, oldest first
remote-help-inbox-get = Fetch one message's exact bytes (to stdout, or to a file with -o)
remote-help-inbox-ack = Acknowledge a fetched message: done, or fail with a note
remote-help-inbox-signature = Who signed a message in the inbox, and whether the signature holds, as the gateway verifies it (exit 1 when it is not valid)
remote-help-inbox-signature-id = The message id
remote-help-inbox-signature-json = Print the gateway's JSON
remote-help-inbox-list-after = Start after this cursor (the `next` of the previous page)
remote-help-inbox-list-limit = At most this many messages (the gateway caps it at 1000)
remote-help-inbox-list-kind = Only documents or only status packages
remote-help-inbox-list-kind-edoc = Documents
remote-help-inbox-list-kind-status = Status packages
remote-help-inbox-list-wait = When nothing is there, wait up to this many seconds (at most 60) for something to be delivered, and show it as soon as it is (long poll)
remote-help-inbox-list-json = Print the gateway's JSON
remote-help-inbox-get-id = The message id
remote-help-inbox-get-output = Write the bytes to this file instead of stdout
remote-help-inbox-ack-id = The message id
remote-help-inbox-ack-result = done or fail
remote-help-inbox-ack-result-done = Taken over successfully
remote-help-inbox-ack-result-fail = The DMS could not process it
remote-help-inbox-ack-note = A note for the sender's tracking (at most 4096 bytes)
remote-help-inbox-ack-json = Print the gateway's JSON
remote-help-track-id = The message id `send` printed
remote-help-track-receipts = Save each signed receipt, this gateway's and those of every gateway down the path, into DIR (`ID.hopN.GATEWAY.receipt.xml`), to keep with the document and verify offline: `lienthong verify --trust CA --document DOC RECEIPT`
remote-help-track-json = Print the gateway's JSON
remote-help-queue-stats = Queue depth per next hop and the number of messages in each state
remote-help-queue-agencies = Per agency: documents and statuses sent and received here, and the inbox entries its DMS has not acknowledged, the longest-waiting agency first
remote-help-queue-list = Messages in one state (default: dead)
remote-help-queue-overdue = Recipients that have not notified receipt (01/02) by the end of their working day, and documents past their due date without 06: with names, number and subject
remote-help-queue-retry = Retry now: a message waiting for its next attempt, or a dead one (fresh attempts)
remote-help-queue-suspend = Hold a message's queued hops until resumed
remote-help-queue-resume = Resume a suspended message
remote-help-queue-cancel = Cancel a message's pending hops
remote-help-queue-stats-json = Print the gateway's JSON
remote-help-queue-search-state = The state (default: dead), or `all`
remote-help-queue-search-agency = Only messages this agency sent or has among its recipients
remote-help-queue-search-since = From this time on (2026-11-30 or 2026-11-30T02:00:00Z, UTC)
remote-help-queue-search-until = Before this time (same forms as --since)
remote-help-queue-search-reason = Only messages with a dead letter whose reason contains this text, e.g. `signature.required` (to retry those once the peer's trust is fixed)
remote-help-queue-list-after = Start after this message id (the `next` of the previous page)
remote-help-queue-list-limit = At most this many messages (default 100; the gateway's pages are followed)
remote-help-queue-list-document-id = Find the document with this edXML DocumentId instead (e.g. what a clerk reads off the document: `000.00.21.H50,2026/11/22,123/UBND`)
remote-help-queue-list-sender = The document's sender, when its DocumentId does not start with the agency code
remote-help-queue-list-json = Print the gateway's JSON
remote-help-queue-action-id = The message id. Without one, every message that --state (required then), --agency, --since and --until find, e.g. `--state dead --since 2026-11-30T02:00:00Z`
remote-help-queue-action-yes = Act on every message found. Without it, only say how many would be acted on and show the first ones
remote-help-queue-action-note = Why: kept in each message's history with your operator name, e.g. `--note "peer certificate renewed, ticket 4711"`
remote-help-queue-action-json = Print the gateway's JSON
remote-help-queue-overdue-agency = Only what this agency owes
remote-help-queue-overdue-limit = At most this many of each kind (default 100)
remote-help-queue-overdue-json = Print the gateway's JSON
remote-help-backup-no-wait = Return once the backup has started instead of waiting for it
remote-help-backup-json = Print the gateway's JSON
remote-help-certs-status-json = Print the gateway's JSON
remote-help-report-from = First day (Vietnam time), with --to
remote-help-report-to = Last day, included
remote-help-report-month = A month instead (default: this month so far)
remote-help-report-quarter = A quarter instead, e.g. 2026Q4
remote-help-report-scope = This gateway's agencies, or also those of every gateway below it (a province's whole network); a gateway that does not answer is named
remote-help-report-format = A table on the terminal, or the file formats
remote-help-report-out = Write to this file instead of the terminal (required for xlsx)
