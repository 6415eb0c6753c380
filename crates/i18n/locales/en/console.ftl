# The operators' console (GET /console). Plain text with { $name } variables only: the page
# fills them in itself.

console-title = lienthong { $gateway }
console-lang-vi = Tiếng Việt
console-lang-en = English
console-nav-overview = Overview
console-nav-search = Search
console-nav-compliance = Compliance
console-nav-certificates = Certificates
console-who-operator = operator { $who }
console-who-monitor = monitor { $who } (read only)
console-loading = loading…
console-updated = updated { $at }
console-failed = could not load: { $error } ({ $code })
console-none = none

## Ages and amounts
console-age-seconds = { $n } s
console-age-minutes = { $n } min
console-age-hours = { $n } h
console-age-days = { $n } d
console-days = { $n } d

## Overview
console-links = Links and queues (next hops)
console-link-up = up
console-link-down = down since { $since } ({ $n } failures)
console-messages-by-state = Messages by state: { $list }
console-dead = Dead letters ({ $n })
console-stuck = Stuck: waiting to retry or suspended ({ $n })
console-agencies = Agencies (oldest unfetched first)
console-backups = Backups
console-backups-off = not configured ([backup] dir)
console-backup-running = running: { $name } since { $since }
console-backup-failed = last failure: { $name }: { $error }
console-backup-none = no backup yet
console-backup-newest = newest: { $at } ({ $age } ago), { $n } kept

## Columns
console-col-pick = select
console-col-accepted = received
console-col-number = number/symbol
console-col-subject = subject
console-col-sender = from
console-col-recipients = to
console-col-state = state
console-col-reason = why
console-col-hop = next hop
console-col-link = link
console-col-waiting = waiting
console-col-in-flight = sending
console-col-oldest = oldest
console-col-last-success = last success
console-col-agency = agency
console-col-sent = sent
console-col-received = received
console-col-signed = signed
console-col-not-fetched = not fetched
console-col-oldest-waiting = oldest waiting
console-col-refused-by-dms = refused by its DMS
console-col-same-day = notified the same day
console-col-overdue = overdue
console-col-score = score
console-col-owed = owed
console-col-deadline = deadline
console-col-what = what
console-col-who = who
console-col-expires = expires
console-col-left = left
console-col-subject-dn = certificate subject

## States
console-state-all = all states
console-state-accepted = accepted
console-state-queued = queued
console-state-in-flight = being sent
console-state-retry-scheduled = waiting to retry
console-state-suspended = suspended
console-state-dead = dead letter
console-state-relayed = handed on
console-state-delivered = in the inbox
console-state-fetched = fetched
console-state-cancelled = cancelled

## Actions
console-select-message = select { $subject }
console-selected = { $n } selected
console-note = Why (kept in the message's history with your name)
console-note-placeholder = e.g. the district's gateway is back after the power cut
console-note-needed = Write why first: every action is kept with who did it and why.
console-action-retry = Retry now
console-action-suspend = Suspend
console-action-resume = Resume
console-action-cancel = Cancel
console-confirm-retry = Retry { $n } message(s) now? Reason: { $note }
console-confirm-suspend = Suspend { $n } message(s)? Reason: { $note }
console-confirm-resume = Resume { $n } message(s)? Reason: { $note }
console-confirm-cancel = Cancel { $n } message(s) for good? This cannot be undone. Reason: { $note }
console-confirm-yes = Confirm
console-confirm-no = Go back
console-action-done = done for { $done } of { $n }
console-monitor-read-only = A monitor certificate reads only: retry, suspend, resume and cancel need an operator certificate.

## Search
console-search-text = number/symbol, subject or DocumentId contains
console-search-document-id = exact DocumentId
console-search-agency = agency code (sender or recipient)
console-search-state = state
console-search-since = from (date)
console-search-until = until (date)
console-search-go = Search
console-search-hint = Search by number/symbol, subject, DocumentId, agency, state and dates.
console-search-none = nothing found
console-search-scanned = { $n } messages examined; there may be more
console-search-more = search on
console-results = Results

## One message
console-document-id = DocumentId
console-message-id = message id
console-sha256 = SHA-256
console-signature = envelope signature
console-recorded = accepted under the record policy
console-pdf = PDF
console-pdf-sender-signed = signed by the sending agency
console-role-person = person
console-role-organisation = organisation
console-role-timestamp = time-stamp
console-verdict-valid = valid
console-verdict-invalid = invalid
console-verdict-unsigned = unsigned
console-verdict-legacy = legacy SDK form (not verifiable)
console-verdict-weak = weak algorithm
console-verdict-untrusted = untrusted
console-recipients = Recipients
console-timeline = Timeline
console-by = { " " }by { $who }: { $note }
console-ev-accepted = accepted here
console-ev-queued = queued for { $hop } (recipients: { $n })
console-ev-in-flight = sending to { $hop } (attempt { $attempt })
console-ev-lease-expired = sending to { $hop } did not finish; ready again
console-ev-relayed = handed to { $hop }
console-ev-retry = attempt { $attempt } to { $hop } failed; next at { $at }
console-ev-dead = given up: { $hop } could not be reached
console-ev-suspended = suspended
console-ev-resumed = resumed
console-ev-cancelled = cancelled
console-ev-retry-now = retry asked
console-ev-link-recovered = the link to { $hop } works again
console-ev-delivered = put in the inbox of { $agency }
console-ev-fetched = fetched by { $agency } ({ $result })
console-ev-purged = content removed by retention (the record stays)
console-ev-receipt = signed receipt from { $hop } (signed by { $signer })
console-ev-status = status { $code } { $label } from { $agency } { $note }
console-trail-hop = at { $gateway }: { $states }
console-status-01 = arrived
console-status-02 = refused
console-status-03 = accepted and registered
console-status-04 = assigned for handling
console-status-05 = being processed
console-status-06 = completed
console-status-13 = recall requested by the sender
console-status-15 = recall or update accepted
console-status-16 = recall or update refused
console-status-other = unknown status

## Compliance
console-month = month
console-show = Show
console-compliance-table = Compliance { $from } to { $to }
console-report-partial = partial report: { $list }
console-chart-counts = Sent, received and signed per agency
console-chart-same-day = Receipt notified the same working day
console-overdue = Overdue now ({ $n })
console-overdue-notice = receipt notice
console-overdue-completion = completion (due date)

## Certificates
console-certificates = Certificates, expiring first
console-cert-own = this gateway
console-cert-next-hop = next hop
console-cert-client = client
