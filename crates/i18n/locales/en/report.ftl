# Compliance reports (crates/compliance): column headings, level names, total rows, the
# score rule in words, the footer; for the terminal table, CSV and XLSX. English.
# Ids: "report-". Column headings: "report-col-<column>", <column> the JSON key with "-"
# for "_". Each message must use the same variables as in vi/report.ftl. Numbers (shares,
# weights) come in as text, already formatted.

## column headings

report-col-level = Level
report-col-agency = Agency code
report-col-name = Agency
report-col-sent = Sent
report-col-signed = Signed validly
report-col-signed-ratio = Signed share
report-col-received = Received
report-col-same-day = Notified same day
report-col-same-day-ratio = Same-day share
report-col-refused = Refused (02)
report-col-recalled = Recalled (13/15)
report-col-with-due = With due date
report-col-on-time = Completed by due date (06)
report-col-overdue-open = Overdue, open
report-col-paper = Also on paper
report-col-urgent = Urgent received
report-col-urgent-met = Urgent within threshold
report-col-score = Score

## levels (group headings) and total rows

report-level-central = Central bodies
report-level-province = Province
report-level-department = Provincial departments
report-level-district = Districts
report-level-commune = Communes
report-level-other = Other
# $what: the group's heading, in lower case.
report-group-total = Total, { $what }
report-total = Total

## the score rule

# $signed_target, $same_day_target: the target shares ("90 %"); $signed_weight,
# $same_day_weight: the weights ("0.5"); $weights: the two weights summed.

report-formula = Score = 1 when the share of documents sent with a valid signature ≥ { $signed_target } and the share of receipts notified the same working day ≥ { $same_day_target }; below that, score = ({ $signed_weight } × min(1, signed share / { $signed_target }) + { $same_day_weight } × min(1, same-day share / { $same_day_target })) / { $weights }; an agency that sent nothing scores 0; one that received nothing meets the same-day share.

## footer, sheet

# A day: $day, $month (two digits), $year (four digits).
report-date = { $year }-{ $month }-{ $day }
report-period = Period: { $from } to { $to } (Vietnam time); scope: { $scope }.
report-missing = MISSING the figures of gateway { $gateway }: { $reason }
# The XLSX sheet's name.
report-sheet = Report
