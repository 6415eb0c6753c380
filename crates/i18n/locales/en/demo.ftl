# `lienthong demo`: what a newcomer reads while a whole federation runs on loopback.
# English. Keep each message's variables the same as in vi/demo.ftl.

## start

demo-error-runtime = error: cannot start the runtime: { $error }
demo-failed-to-start = demo failed to start: { $error }
demo-failed = demo FAILED: { $error }
demo-unknown-agency = unknown agency { $code }
demo-title = lienthong demo: a federation of { $n } gateways on loopback
demo-pki = throw-away PKI (development only) in { $dir }
demo-no-random = the system gives no random bytes for a VXP secret
demo-vxp-not-started = the VXP listener did not start
# A gateway's level, in the list of gateways.
demo-level-national = national
demo-level-province = province
demo-level-district = district
demo-level-commune = commune

## the flows

demo-no-id = no id in the answer
demo-refused = { $from }: submission refused: { $body }
# Between the signers of a PDF: "A then B".
demo-then = then
demo-pdf = PDF { $pdf }: signed by { $signers }: { $verdict }
demo-pdf-bad = the PDF's signatures do not hold: { $pdf }
demo-bytes-differ = { $to } received bytes that differ from what was sent
demo-ack-failed = ack failed: { $body }
demo-not-delivered = message { $id } did not reach { $to } within { $within }
demo-gateway-not-running = gateway not running
demo-no-path = no path
demo-bad-id = bad id
demo-hop-crossed = hop { $here } -> { $next }: already crossed (one copy per link)
demo-no-receipt = { $here } has no receipt from { $next }
demo-receipt-invalid = receipt from { $next } is not valid: { $why }
demo-hop = hop { $hop }: { $here } -> { $next }, receipt signed by { $gateway } verified (sha256 { $sha256 }…)
demo-document-accepted = document { $number }/UBND from { $from } accepted as { $id }
demo-delivered = delivered to { $to } in { $ms } ms, fetched byte-identical and acknowledged
demo-status-reached = status { $code } { $label } from { $from } reached { $to } in { $ms } ms
demo-step-1 = 1. A commune office writes to a department of the other province
demo-step-2 = 2. One document to four recipients (each link crossed once)
demo-step-3 = 3. The sender recalls a document (13 -> 15)
demo-tracking-wrong = tracking of { $id } shows statuses { $codes }
demo-tracking-ok = tracking of document 101 at the commune gateway shows 01 03 04 05 06
demo-step-4 = 4. A DMS on the national axis's SDK (VXP API at http://{ $addr }, system { $system })
demo-vxp-send-refused = sendEdoc refused: { $body }
demo-vxp-sent = sendEdoc from { $from }: status OK, DocId { $id }
demo-vxp-delivered = delivered to { $to } (mTLS API) in { $ms } ms, byte-identical
demo-vxp-not-listed = status { $id } was not listed over VXP in time
demo-vxp-other-bytes = getEdoc gave other bytes than the status sent
demo-vxp-update-refused = updateStatus refused: { $body }
demo-vxp-status-taken = status 01 { $label } listed by getReceivedEdocList, taken with getEdoc, updateStatus done

## summary (each label at most 42 characters)

demo-summary = Summary
demo-summary-documents = documents sent
demo-summary-deliveries = deliveries (documents and statuses)
demo-summary-hops = gateway hops crossed
demo-summary-receipts = signed receipts verified
demo-summary-statuses = business statuses returned
demo-summary-pdf-signatures = PDF signatures verified
demo-summary-p50 = submit-to-inbox latency p50
demo-summary-p99 = submit-to-inbox latency p99
demo-summary-end = every delivery byte-identical, every receipt verified, nothing lost or duplicated

## what to try while it runs

demo-explain-running = The federation keeps running (Ctrl-C to stop). Try the API with curl:
demo-explain-long-poll = long poll: answered when post arrives
demo-explain-signature = who signed it (the envelope and each PDF inside), verified by the gateway
demo-explain-queues = queues and each link up or down
demo-explain-messages = everything to or from an agency
demo-explain-agencies = each agency: sent, received, unacknowledged
demo-explain-cli = And with the CLI (operator certificate):
demo-explain-certs = every certificate it depends on, expiring first
demo-explain-backup = an online backup, while it runs
demo-explain-console = The operators' web page: { $url } (import { $cert } and .key into the browser as PKCS#12)
demo-explain-vxp = The VXP API (for DMSs on the national axis's SDK): http://{ $addr }, system { $system }, secret in { $secret }
demo-explain-dir = Configs and data: { $dir }

## Help

demo-help-once = Run the flows once and exit: 0 when all completed, 1 with the reason otherwise
demo-help-dir = Keep the generated PKI, configs and data in this folder (default: a temporary one)
