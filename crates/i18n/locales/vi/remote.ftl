# Các lệnh máy khách của `lienthong` (crates/cli/src/remote): send, status, inbox, track,
# queue, backup, certs status, report, queue overdue. Tiếng Việt.
# Id: "remote-", rồi đến lệnh. Tiêu đề cột: "remote-<bảng>-col-<cột>".
# Mỗi thông báo phải dùng đúng các biến như trong en/remote.ftl.

## dùng chung: lỗi, thời gian, từ ngữ

remote-error = lỗi: { $message }
remote-error-refused = lỗi: { $code }: { $message }
remote-error-detail = chi tiết: { $detail }
remote-error-item = lỗi: { $item }: { $error }
remote-error-item-refused = lỗi: { $item }: { $code }: { $message }
remote-runtime = không khởi động được bộ thực thi bất đồng bộ: { $error }
remote-gateway-not-https = --gateway '{ $url }' phải là một URL https:// (cổng liên thông chỉ kết nối qua TLS xác thực hai chiều)
remote-certificates = chứng thư số: { $error }
remote-cannot-reach = không kết nối được tới { $url }: { $why }
remote-no-answer = cổng liên thông không trả lời trong thời gian chờ
remote-cannot-read = không đọc được { $path }: { $error }
remote-cannot-write = không ghi được { $path }: { $error }
remote-cannot-write-stdout = không ghi được ra đầu ra chuẩn (stdout): { $error }
remote-age-seconds = { $n } giây
remote-age-minutes = { $n } phút
remote-age-hours = { $n } giờ
remote-age-days = { $n } ngày
remote-kind-edoc = văn bản
remote-kind-status = trạng thái
remote-gateway = cổng liên thông { $gateway }
remote-next-page = trang tiếp theo: --after { $next }
# Thông tin để nhận ra một gói tin (phần `view` của cổng liên thông): dưới dòng đầu của
# `track`, và dưới mỗi dòng của `inbox list`. $from, $to: "Tên (MÃ)", hoặc chỉ có mã.
remote-view-number = số, ký hiệu: { $number }
remote-view-subject = trích yếu: { $subject }
remote-view-from = nơi gửi: { $from }
remote-view-to = nơi nhận: { $to }

## send, status

remote-send-accepted = { $file }: { $id } -> { $recipients }
remote-send-accepted-duplicate = { $file }: { $id } -> { $recipients } (gửi trùng: cổng liên thông đã nhận văn bản này trước đó)
remote-send-no-edxml = thư mục { $dir } không có tệp .edxml nào
# Trên thanh tiến độ: thời gian còn lại.
remote-send-eta = còn khoảng
remote-send-task-failed = lỗi: một tác vụ gửi văn bản bị dừng bất thường: { $error }
remote-send-summary = { $total } tệp: cổng liên thông đã nhận { $accepted } ({ $duplicates } đã nhận từ trước), từ chối { $refused }
remote-send-summary-failed = lỗi { $failed }
remote-send-summary-not-sent = { $n } tệp chưa gửi (không kết nối được tới cổng liên thông)
remote-status-not-edxml = { $file }:{ $line }:{ $column }: không đọc được dưới dạng edXML: { $error }
remote-status-is-document = { $file } là văn bản, không phải gói tin trạng thái (hãy dùng `lienthong send`)
remote-status-sent = { $line } (trạng thái { $code } { $label })

## inbox

remote-inbox-empty = hộp thư đến không còn gói tin nào sau vị trí này
remote-inbox-col-cursor = VỊ TRÍ
remote-inbox-col-id = MÃ GÓI TIN
remote-inbox-col-kind = LOẠI
remote-inbox-col-from = NƠI GỬI
remote-inbox-col-bytes = BYTE
remote-inbox-col-delivered = THỜI GIAN ĐẾN
remote-inbox-col-acked = XÁC NHẬN
remote-inbox-acked-done = đã nhận xong
remote-inbox-acked-fail = không xử lý được
remote-inbox-signature-of = gói tin { $id }
remote-inbox-written = { $id }: đã ghi { $bytes } byte vào { $path }
# $result: done hoặc fail.
remote-inbox-acked = { $id }: đã xác nhận ({ $result ->
        [done] đã nhận xong
       *[other] không xử lý được
    })

## track

remote-track-saved = đã lưu { $path }
remote-track-no-receipts = chưa có biên nhận: gói tin chưa được chuyển sang cổng liên thông nào khác
remote-track-head = { $id } { $kind } từ { $sender }: { $state }
remote-track-document = văn bản: { $document }
remote-track-sha256 = SHA-256:   { $sha256 }
remote-track-accepted = cổng nhận lúc: { $at }
remote-track-relayed = chuyển tiếp từ { $gateway } (qua { $hops } chặng)
remote-track-signature = chữ ký số: { $verdict }
remote-track-signature-recorded = chữ ký số: { $verdict } (được nhận theo chính sách chỉ ghi nhận)
remote-track-pdf = PDF { $name }: { $verdict }
remote-track-pdf-sender-signed = có chữ ký số của cơ quan gửi
remote-track-recipients = tình trạng tại từng nơi nhận:
remote-track-end-to-end = theo dõi tới tận nơi nhận:
remote-track-at-gateway = tại { $gateway }: { $state }
remote-track-queue = hàng đợi:
remote-track-queue-entry = { $hop }  { $status }  lần thử { $attempt }  hẹn gửi lúc { $due }  tới { $recipients }
remote-track-receipts = biên nhận:
remote-track-receipts-none = biên nhận: chưa có
remote-track-receipt = chặng { $hop }  cổng { $gateway } đã nhận  lúc { $at }
remote-track-receipt-unreadable = tới { $hop }  lúc { $at }  (không đọc được biên nhận đã lưu)
# Thay cho tên tệp của biên nhận, khi câu trả lời của cổng liên thông không kèm bản XML đã ký.
remote-track-receipt-no-xml = (câu trả lời không kèm bản XML đã ký: không lưu được)
remote-track-statuses = trạng thái xử lý:
remote-track-statuses-none = trạng thái xử lý: chưa có
remote-track-status = { $code } { $label }  từ { $from }  lúc { $at }
remote-track-history = lịch sử:

## queue

# Phần sau trạng thái khi mô tả một lần tìm: "dead, cơ quan 000.00.21.H50, từ 2026-11-30".
remote-search-agency = cơ quan { $agency }
remote-search-since = từ { $time }
remote-search-until = đến trước { $time }
remote-search-reason = lý do có “{ $reason }”
remote-agencies-col-agency = CƠ QUAN
remote-agencies-col-sent = ĐÃ GỬI
remote-agencies-col-received = ĐÃ NHẬN
remote-agencies-col-unacked = CHƯA XÁC NHẬN
remote-agencies-col-oldest-unacked = CHỜ LÂU NHẤT
remote-agencies-col-failed = BÁO LỖI
remote-agencies-col-name = TÊN
remote-link-down = mất kết nối
remote-link-up = đang hoạt động
remote-queue-no-queues = không có hàng đợi nào
remote-queue-col-hop = CỔNG KẾ TIẾP
remote-queue-col-depth = ĐANG CHỜ
remote-queue-col-in-flight = ĐANG GỬI
remote-queue-col-oldest = CHỜ LÂU NHẤT
remote-queue-col-link = LIÊN KẾT
remote-queue-link-down = liên kết tới { $hop } mất kết nối từ { $since }, lỗi { $failures } lần liên tiếp: { $error }
remote-queue-cert-expired = chứng thư số của { $hop } đã hết hạn lúc { $at } ({ $days } ngày): người vận hành cổng đó phải gia hạn
remote-queue-cert-expires = chứng thư số của { $hop } hết hạn lúc { $at } (còn { $days } ngày): người vận hành cổng đó phải gia hạn
# $states: từng trạng thái với số gói tin, "queued=2 dead=1".
remote-queue-messages = gói tin: { $states }
remote-queue-messages-none = gói tin: không có
remote-messages-col-id = MÃ GÓI TIN
remote-messages-col-state = TRẠNG THÁI
remote-messages-col-kind = LOẠI
remote-messages-col-from = NƠI GỬI
remote-messages-col-accepted = CỔNG NHẬN LÚC
remote-messages-col-recipients = NƠI NHẬN
# Các thao tác của người vận hành, dạng động từ: "đã { $action }", "để { $action }".
remote-action-retry = gửi lại
remote-action-suspend = tạm dừng
remote-action-resume = tiếp tục
remote-action-cancel = hủy
remote-queue-no-document = không có văn bản { $document } của { $sender }
remote-queue-no-messages = không có gói tin nào ({ $search })
remote-queue-action-done = { $id }: đã { $action }
remote-queue-bulk-none = không có gói tin nào ({ $search }): không có gì để { $action }
remote-queue-bulk-found = tìm thấy { $n } gói tin ({ $search }); các gói tin đầu tiên:
remote-queue-bulk-confirm = chưa thực hiện gì: thêm --yes để { $action } các gói tin này
remote-queue-task-failed = lỗi: một tác vụ thao tác bị dừng bất thường: { $error }
remote-queue-bulk-done = { $action }: xong { $done }/{ $total } gói tin ({ $search }), lỗi { $failed }

## backup, certs status

remote-backup-started = đã bắt đầu sao lưu { $name }; `GET /v1/backups` cho biết khi nào xong
remote-backup-progress = đang sao lưu { $name }
remote-backup-done = sao lưu { $name } xong: { $entries } mục siêu dữ liệu ({ $replayed } mục được ghi trong lúc sao lưu), { $segments } phân đoạn dữ liệu gói tin, tổng { $bytes } byte; tạm dừng ghi { $paused } ms, mất { $took } ms
remote-backup-lost = bản sao lưu không còn chạy mà cũng không có trong danh sách (cổng liên thông đã khởi động lại?)
remote-backup-failed = lỗi: sao lưu { $name } không thành công: { $why }
remote-certs-own = của cổng này
remote-certs-next-hop = cổng kế tiếp
remote-certs-client = máy khách
remote-certs-not-connected = { $hop } (chưa kết nối)
remote-certs-col-what = LOẠI
remote-certs-col-who = CỦA
remote-certs-col-expires = HẾT HẠN
remote-certs-col-days = SỐ NGÀY CÒN
remote-certs-col-subject = CHỦ THỂ
remote-certs-expiring = { $n } chứng thư số hết hạn trong vòng { $days } ngày tới

## report, queue overdue

remote-report-unreadable = không đọc được báo cáo của cổng liên thông: { $error }
remote-report-wrote = đã ghi { $path } ({ $bytes } byte)
remote-report-partial = báo cáo chưa đầy đủ: { $n } cổng liên thông cấp dưới không trả lời (có nêu tên trong báo cáo)
remote-overdue-notices = thông báo đã nhận (01/02) quá hạn: { $total }
remote-overdue-completions = văn bản chưa hoàn thành (06) quá hạn xử lý: { $total }
remote-overdue-col-recipient = NƠI NHẬN
remote-overdue-col-sender = NƠI GỬI
remote-overdue-col-number = SỐ, KÝ HIỆU
remote-overdue-col-delivered = ĐẾN LÚC
remote-overdue-col-due = HẠN
remote-overdue-col-late = QUÁ HẠN
remote-overdue-col-urgent = ĐỘ KHẨN
remote-overdue-col-subject = TRÍCH YẾU
# $p: độ khẩn theo edXML, từ 1 (khẩn) đến 4 (hỏa tốc hẹn giờ).
remote-overdue-priority = { $p ->
        [1] Khẩn
        [2] Thượng khẩn
        [3] Hỏa tốc
        [4] Hỏa tốc hẹn giờ
       *[other] P{ $p }
    }
remote-overdue-first = ({ $n } mục đầu tiên; dùng --limit N để xem thêm)

## Trợ giúp

remote-help-conn-gateway = URL của cổng liên thông, ví dụ https://127.0.0.1:8441
remote-help-conn-cert = Chứng thư số máy khách (PEM): chứng thư số của hệ thống quản lý văn bản của cơ quan, hoặc của người vận hành đối với lệnh `queue`
remote-help-conn-key = Khóa bí mật của máy khách (PKCS#8 PEM)
remote-help-conn-ca = Chứng thư số CA mà chứng thư số của cổng liên thông dẫn tới (PEM), có thể dùng nhiều lần
remote-help-send-path = Một tệp edXML, hoặc một thư mục: mọi tệp `*.edxml` trong thư mục được gửi đi, theo thứ tự tên tệp
remote-help-send-json = In câu trả lời JSON của cổng liên thông (với thư mục: một đối tượng chứa câu trả lời cho từng tệp)
remote-help-send-concurrency = Số tệp được gửi đồng thời khi gửi một thư mục
remote-help-send-quiet = Chỉ in mã thông điệp của mỗi tệp được nhận, mỗi mã một dòng (dùng trong script: ID=$(lienthong send -q TỆP))
remote-help-status-file = Gói tin trạng thái (edXML có StatusCode)
remote-help-status-json = In câu trả lời JSON của cổng liên thông
remote-help-inbox-list = Liệt kê các gói tin trong hộp thư đến của cơ quan, gói tin cũ nhất trước
remote-help-inbox-get = Lấy về nguyên vẹn nội dung của một gói tin (ra đầu ra chuẩn, hoặc vào một tệp với -o)
remote-help-inbox-ack = Xác nhận một gói tin đã lấy về: đã nhận xong (done), hoặc không xử lý được (fail) kèm ghi chú
remote-help-inbox-signature = Ai đã ký một gói tin trong hộp thư đến, và chữ ký số có hợp lệ hay không, theo kết quả kiểm tra của cổng liên thông (mã thoát 1 khi chữ ký số không hợp lệ)
remote-help-inbox-signature-id = Mã gói tin
remote-help-inbox-signature-json = In câu trả lời JSON của cổng liên thông
remote-help-inbox-list-after = Bắt đầu sau vị trí này (giá trị `next` của trang trước)
remote-help-inbox-list-limit = Số gói tin tối đa (cổng liên thông giới hạn ở 1000)
remote-help-inbox-list-kind = Chỉ văn bản hoặc chỉ gói tin trạng thái
remote-help-inbox-list-kind-edoc = Văn bản
remote-help-inbox-list-kind-status = Gói tin trạng thái
remote-help-inbox-list-wait = Khi hộp thư đến trống, chờ tối đa số giây này (không quá 60) cho tới khi có gói tin đến, và hiển thị ngay khi gói tin đến (chờ dài - long poll)
remote-help-inbox-list-json = In câu trả lời JSON của cổng liên thông
remote-help-inbox-get-id = Mã gói tin
remote-help-inbox-get-output = Ghi nội dung vào tệp này thay vì ra đầu ra chuẩn
remote-help-inbox-ack-id = Mã gói tin
remote-help-inbox-ack-result = done hoặc fail
remote-help-inbox-ack-result-done = Đã tiếp nhận thành công
remote-help-inbox-ack-result-fail = Hệ thống quản lý văn bản không xử lý được
remote-help-inbox-ack-note = Ghi chú để nơi gửi theo dõi (tối đa 4096 byte)
remote-help-inbox-ack-json = In câu trả lời JSON của cổng liên thông
remote-help-track-id = Mã gói tin do lệnh `send` in ra
remote-help-track-receipts = Lưu từng biên nhận đã ký, của cổng liên thông này và của mọi cổng liên thông tiếp theo trên đường đi, vào thư mục DIR (`ID.hopN.GATEWAY.receipt.xml`), để lưu kèm văn bản và kiểm tra khi không có kết nối: `lienthong verify --trust CA --document DOC RECEIPT`
remote-help-track-json = In câu trả lời JSON của cổng liên thông
remote-help-queue-stats = Số gói tin đang chờ trong hàng đợi tới từng cổng kế tiếp, và số gói tin ở mỗi trạng thái
remote-help-queue-agencies = Theo từng cơ quan: số văn bản và trạng thái đã gửi và đã nhận tại cổng này, và các gói tin trong hộp thư đến mà hệ thống quản lý văn bản của cơ quan chưa xác nhận; cơ quan chờ lâu nhất đứng đầu
remote-help-queue-list = Các gói tin ở một trạng thái (mặc định: dead, tức thư chết)
remote-help-queue-overdue = Các nơi nhận chưa thông báo đã nhận (01/02) trước khi hết ngày làm việc, và các văn bản quá hạn xử lý mà chưa có trạng thái 06: kèm tên cơ quan, số/ký hiệu và trích yếu
remote-help-queue-retry = Gửi lại ngay: một gói tin đang chờ lần gửi tiếp theo, hoặc một thư chết (số lần thử được tính lại từ đầu)
remote-help-queue-suspend = Tạm dừng các chặng đang chờ gửi của một gói tin cho tới khi được tiếp tục
remote-help-queue-resume = Tiếp tục gửi một gói tin đang tạm dừng
remote-help-queue-cancel = Hủy các chặng chưa gửi của một gói tin
remote-help-queue-stats-json = In câu trả lời JSON của cổng liên thông
remote-help-queue-search-state = Trạng thái (mặc định: dead), hoặc `all` (mọi trạng thái)
remote-help-queue-search-agency = Chỉ các gói tin do cơ quan này gửi hoặc có cơ quan này trong số nơi nhận
remote-help-queue-search-since = Từ thời điểm này trở đi (2026-11-30 hoặc 2026-11-30T02:00:00Z, giờ UTC)
remote-help-queue-search-until = Trước thời điểm này (cùng cách ghi như --since)
remote-help-queue-search-reason = Chỉ các gói tin là thư chết có lý do chứa đoạn văn bản này, ví dụ `signature.required` (để gửi lại các gói tin đó sau khi cấu hình tin cậy của cổng bên kia đã được sửa)
remote-help-queue-list-after = Bắt đầu sau mã gói tin này (giá trị `next` của trang trước)
remote-help-queue-list-limit = Số gói tin tối đa (mặc định 100; tự động lấy tiếp các trang của cổng liên thông)
remote-help-queue-list-document-id = Thay vào đó, tìm văn bản có DocumentId edXML này (ví dụ thông tin văn thư đọc được trên văn bản: `000.00.21.H50,2026/11/22,123/UBND`)
remote-help-queue-list-sender = Cơ quan gửi văn bản, khi DocumentId không bắt đầu bằng mã định danh cơ quan
remote-help-queue-list-json = In câu trả lời JSON của cổng liên thông
remote-help-queue-action-id = Mã gói tin. Nếu không ghi, thao tác áp dụng cho mọi gói tin tìm được theo --state (khi đó bắt buộc), --agency, --since và --until, ví dụ `--state dead --since 2026-11-30T02:00:00Z`
remote-help-queue-action-yes = Thực hiện thao tác trên mọi gói tin tìm được. Nếu không có tùy chọn này, chỉ cho biết số gói tin sẽ được xử lý và hiển thị các gói tin đầu tiên
remote-help-queue-action-note = Lý do: được lưu vào lịch sử của từng gói tin cùng tên người vận hành của bạn, ví dụ `--note "đã gia hạn chứng thư số của cổng bên kia, phiếu 4711"`
remote-help-queue-action-json = In câu trả lời JSON của cổng liên thông
remote-help-queue-overdue-agency = Chỉ những việc mà cơ quan này còn chưa thực hiện
remote-help-queue-overdue-limit = Số mục tối đa cho mỗi loại (mặc định 100)
remote-help-queue-overdue-json = In câu trả lời JSON của cổng liên thông
remote-help-backup-no-wait = Trả về ngay khi việc sao lưu bắt đầu, không chờ sao lưu xong
remote-help-backup-json = In câu trả lời JSON của cổng liên thông
remote-help-certs-status-json = In câu trả lời JSON của cổng liên thông
remote-help-report-from = Ngày đầu kỳ (giờ Việt Nam), dùng cùng --to
remote-help-report-to = Ngày cuối kỳ (tính cả ngày này)
remote-help-report-month = Hoặc một tháng (mặc định: tháng này, tính đến hiện tại)
remote-help-report-quarter = Hoặc một quý, ví dụ 2026Q4
remote-help-report-scope = Các cơ quan của cổng liên thông này (gateway), hoặc cả các cơ quan của mọi cổng liên thông cấp dưới (subtree: toàn bộ mạng liên thông của một tỉnh); cổng liên thông nào không trả lời sẽ được nêu tên
remote-help-report-format = Bảng hiển thị trên màn hình (table), hoặc một trong các định dạng tệp
remote-help-report-out = Ghi vào tệp này thay vì hiển thị trên màn hình (bắt buộc với xlsx)
