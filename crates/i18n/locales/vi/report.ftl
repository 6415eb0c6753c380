# Báo cáo tuân thủ (crates/compliance): tiêu đề cột, tên cấp, dòng tổng, công thức tính
# điểm, chân trang; dùng cho bảng trên terminal, CSV và XLSX. Tiếng Việt.
# Id: "report-". Tiêu đề cột: "report-col-<cột>", <cột> là khóa JSON với "-" thay "_".
# Mỗi thông báo phải dùng đúng các biến như trong en/report.ftl. Các số (tỷ lệ, trọng số)
# được truyền vào dưới dạng văn bản đã định dạng sẵn.

## tiêu đề cột

report-col-level = Cấp
report-col-agency = Mã định danh
report-col-name = Tên cơ quan
report-col-sent = Văn bản đi điện tử
report-col-signed = Ký số hợp lệ
report-col-signed-ratio = Tỷ lệ ký số
report-col-received = Văn bản đến
report-col-same-day = Báo nhận trong ngày
report-col-same-day-ratio = Tỷ lệ báo nhận trong ngày
report-col-refused = Từ chối (02)
report-col-recalled = Thu hồi (13/15)
report-col-with-due = Có hạn xử lý
report-col-on-time = Hoàn thành đúng hạn (06)
report-col-overdue-open = Quá hạn chưa hoàn thành
report-col-paper = Kèm bản giấy
report-col-urgent = Văn bản khẩn đến
report-col-urgent-met = Khẩn đạt thời hạn
report-col-score = Điểm

## các cấp (tiêu đề nhóm) và dòng tổng

report-level-central = Cơ quan trung ương
report-level-province = Cấp tỉnh
report-level-department = Sở, ban, ngành
report-level-district = Cấp huyện
report-level-commune = Cấp xã
report-level-other = Khác
# $what: tiêu đề của nhóm, viết thường.
report-group-total = Tổng { $what }
report-total = Tổng cộng

## công thức tính điểm

# $signed_target, $same_day_target: tỷ lệ mục tiêu ("90 %"); $signed_weight,
# $same_day_weight: trọng số ("0.5"); $weights: tổng hai trọng số.

report-formula = Điểm = 1 khi tỷ lệ văn bản đi ký số hợp lệ ≥ { $signed_target } và tỷ lệ báo nhận trong ngày làm việc ≥ { $same_day_target }; thấp hơn thì điểm = ({ $signed_weight } × min(1, tỷ lệ ký số / { $signed_target }) + { $same_day_weight } × min(1, tỷ lệ báo nhận / { $same_day_target })) / { $weights }; cơ quan không gửi văn bản nào được 0 điểm; cơ quan không nhận văn bản nào được tính đạt tỷ lệ báo nhận.

## chân trang, trang tính

# Một ngày: $day, $month (hai chữ số), $year (bốn chữ số).
report-date = { $day }/{ $month }/{ $year }
report-period = Kỳ báo cáo: { $from } – { $to } (giờ Việt Nam); phạm vi: { $scope }.
report-missing = THIẾU số liệu của cổng { $gateway }: { $reason }
# Tên trang tính XLSX (không dấu, cho các chương trình bảng tính cũ).
report-sheet = Bao cao
