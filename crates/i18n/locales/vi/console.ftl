# Bảng điều khiển cho người vận hành (GET /console). Chỉ văn bản thuần với biến { $tên }:
# trang tự điền giá trị.

console-title = lienthong { $gateway }
console-lang-vi = Tiếng Việt
console-lang-en = English
console-nav-overview = Tổng quan
console-nav-search = Tìm kiếm
console-nav-compliance = Tuân thủ
console-nav-certificates = Chứng thư số
console-who-operator = người vận hành { $who }
console-who-monitor = giám sát { $who } (chỉ xem)
console-loading = đang tải…
console-updated = cập nhật lúc { $at }
console-failed = không tải được: { $error } ({ $code })
console-none = không có

## Thời gian và số lượng
console-age-seconds = { $n } giây
console-age-minutes = { $n } phút
console-age-hours = { $n } giờ
console-age-days = { $n } ngày
console-days = { $n } ngày

## Tổng quan
console-links = Liên kết và hàng đợi (các cổng kế tiếp)
console-link-up = hoạt động
console-link-down = mất kết nối từ { $since } ({ $n } lần lỗi)
console-messages-by-state = Gói tin theo trạng thái: { $list }
console-dead = Thư chết ({ $n })
console-stuck = Gói tin đang kẹt: chờ gửi lại hoặc tạm dừng ({ $n })
console-agencies = Cơ quan (văn bản chờ lấy về lâu nhất lên đầu)
console-backups = Sao lưu
console-backups-off = chưa cấu hình ([backup] dir)
console-backup-running = đang chạy: { $name } từ { $since }
console-backup-failed = lần lỗi gần nhất: { $name }: { $error }
console-backup-none = chưa có bản sao lưu nào
console-backup-newest = mới nhất: { $at } ({ $age } trước), đang giữ { $n } bản

## Các cột
console-col-pick = chọn
console-col-accepted = thời điểm nhận
console-col-number = số, ký hiệu
console-col-subject = trích yếu
console-col-sender = nơi gửi
console-col-recipients = nơi nhận
console-col-state = trạng thái
console-col-reason = lý do
console-col-hop = cổng kế tiếp
console-col-link = liên kết
console-col-waiting = đang chờ
console-col-in-flight = đang gửi
console-col-oldest = lâu nhất
console-col-last-success = lần thành công gần nhất
console-col-agency = cơ quan
console-col-sent = văn bản đi
console-col-received = văn bản đến
console-col-signed = có chữ ký số
console-col-not-fetched = chưa lấy về
console-col-oldest-waiting = chờ lâu nhất
console-col-refused-by-dms = hệ thống QLVB từ chối
console-col-same-day = báo nhận trong ngày
console-col-overdue = quá hạn
console-col-score = điểm
console-col-owed = việc còn nợ
console-col-deadline = hạn
console-col-what = loại
console-col-who = của ai
console-col-expires = hết hạn
console-col-left = còn lại
console-col-subject-dn = chủ thể chứng thư số

## Trạng thái
console-state-all = mọi trạng thái
console-state-accepted = đã tiếp nhận
console-state-queued = đang chờ trong hàng đợi
console-state-in-flight = đang gửi
console-state-retry-scheduled = đang chờ gửi lại
console-state-suspended = tạm dừng
console-state-dead = thư chết
console-state-relayed = đã chuyển tiếp
console-state-delivered = đã vào hộp thư đến
console-state-fetched = đã được lấy về
console-state-cancelled = đã hủy

## Thao tác
console-select-message = chọn { $subject }
console-selected = đã chọn { $n } gói tin
console-note = Lý do (được lưu vào lịch sử gói tin cùng tên của bạn)
console-note-placeholder = ví dụ: cổng của huyện đã hoạt động lại sau khi mất điện
console-note-needed = Hãy ghi lý do trước: mọi thao tác đều được lưu lại ai làm và vì sao.
console-action-retry = Gửi lại ngay
console-action-suspend = Tạm dừng
console-action-resume = Tiếp tục
console-action-cancel = Hủy
console-confirm-retry = Gửi lại ngay { $n } gói tin? Lý do: { $note }
console-confirm-suspend = Tạm dừng { $n } gói tin? Lý do: { $note }
console-confirm-resume = Tiếp tục { $n } gói tin? Lý do: { $note }
console-confirm-cancel = Hủy hẳn { $n } gói tin? Không thể hoàn tác. Lý do: { $note }
console-confirm-yes = Xác nhận
console-confirm-no = Quay lại
console-action-done = đã thực hiện { $done }/{ $n }
console-monitor-read-only = Chứng thư số giám sát chỉ được xem: gửi lại, tạm dừng, tiếp tục và hủy cần chứng thư số của người vận hành.

## Tìm kiếm
console-search-text = số, ký hiệu, trích yếu hoặc DocumentId có chứa
console-search-document-id = DocumentId chính xác
console-search-agency = mã cơ quan (nơi gửi hoặc nơi nhận)
console-search-state = trạng thái
console-search-since = từ ngày
console-search-until = đến ngày
console-search-go = Tìm
console-search-hint = Tìm theo số, ký hiệu, trích yếu, DocumentId, cơ quan, trạng thái và ngày.
console-search-none = không tìm thấy
console-search-scanned = đã xét { $n } gói tin; có thể còn nữa
console-search-more = tìm tiếp
console-results = Kết quả

## Một gói tin
console-document-id = DocumentId
console-message-id = mã gói tin
console-sha256 = SHA-256
console-signature = chữ ký số trên gói tin
console-recorded = được nhận theo chế độ ghi nhận (record)
console-pdf = PDF
console-pdf-sender-signed = có chữ ký số của cơ quan gửi
console-role-person = cá nhân
console-role-organisation = cơ quan, tổ chức
console-role-timestamp = tem thời gian
console-verdict-valid = hợp lệ
console-verdict-invalid = không hợp lệ
console-verdict-unsigned = chưa ký
console-verdict-legacy = dạng cũ của SDK (không kiểm tra được)
console-verdict-weak = thuật toán yếu
console-verdict-untrusted = không tin cậy
console-recipients = Nơi nhận
console-timeline = Diễn biến
console-by = { " " }bởi { $who }: { $note }
console-ev-accepted = đã tiếp nhận tại cổng này
console-ev-queued = vào hàng đợi gửi tới { $hop } ({ $n } nơi nhận)
console-ev-in-flight = đang gửi tới { $hop } (lần thử { $attempt })
console-ev-lease-expired = lần gửi tới { $hop } chưa xong; sẵn sàng gửi lại
console-ev-relayed = đã chuyển cho { $hop }
console-ev-retry = lần thử { $attempt } tới { $hop } không thành công; lần tiếp theo lúc { $at }
console-ev-dead = đã dừng gửi: không gửi được tới { $hop }
console-ev-suspended = tạm dừng
console-ev-resumed = tiếp tục
console-ev-cancelled = đã hủy
console-ev-retry-now = yêu cầu gửi lại ngay
console-ev-link-recovered = liên kết tới { $hop } đã hoạt động lại
console-ev-delivered = đã vào hộp thư đến của { $agency }
console-ev-fetched = { $agency } đã lấy về ({ $result })
console-ev-purged = nội dung đã được xóa theo thời hạn lưu trữ (bản ghi vẫn giữ)
console-ev-receipt = biên nhận có ký số từ { $hop } (do { $signer } ký)
console-ev-status = trạng thái { $code } { $label } từ { $agency } { $note }
console-trail-hop = tại { $gateway }: { $states }
console-status-01 = đã đến
console-status-02 = từ chối tiếp nhận
console-status-03 = đã tiếp nhận
console-status-04 = phân công
console-status-05 = đang xử lý
console-status-06 = hoàn thành
console-status-13 = lấy lại
console-status-15 = đồng ý lấy lại/cập nhật
console-status-16 = từ chối lấy lại/cập nhật
console-status-other = không rõ

## Tuân thủ
console-month = tháng
console-show = Xem
console-compliance-table = Tình hình tuân thủ từ { $from } đến { $to }
console-report-partial = báo cáo chưa đầy đủ: { $list }
console-chart-counts = Văn bản đi, đến và có chữ ký số theo cơ quan
console-chart-same-day = Tỷ lệ báo nhận trong ngày làm việc
console-overdue = Đang quá hạn ({ $n })
console-overdue-notice = thông báo đã nhận
console-overdue-completion = hoàn thành (hạn xử lý)

## Chứng thư số
console-certificates = Chứng thư số, sắp hết hạn lên đầu
console-cert-own = của cổng này
console-cert-next-hop = cổng kế tiếp
console-cert-client = máy khách
