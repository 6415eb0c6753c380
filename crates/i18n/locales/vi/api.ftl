# API của cổng liên thông: trường `message` của các lỗi JSON, theo ngôn ngữ do
# Accept-Language của yêu cầu chọn. Mã lỗi `code` ổn định đi kèm bên cạnh.

## Ai được gọi
api-no-client-certificate = cần có chứng thư số của máy khách
api-client-revoked = chứng thư số của máy khách này đã bị thu hồi
api-forbidden = { $needed }, không dành cho { $caller }
api-for-agency = điểm cuối này dành cho hệ thống quản lý văn bản của cơ quan
api-for-gateway = điểm cuối này dành cho các cổng liên thông
api-for-operator = điểm cuối này cần chứng thư số của người vận hành
api-for-reader = điểm cuối này cần chứng thư số của người vận hành hoặc người giám sát
api-parent-only = chỉ cổng cấp trên của cổng này mới được hỏi số liệu của nó
api-wrong-gateway = { $caller } được đăng ký tại { $home }: hệ thống quản lý văn bản của cơ quan này gửi văn bản tại đó, không phải tại { $here }
api-unknown-agency = { $caller } không có trong danh bạ của { $here }
api-wrong-agency = văn bản do { $sender } gửi nhưng chứng thư số này đại diện cho { $caller }
api-system-not-allowed = văn bản do { $sender } gửi; hệ thống '{ $system }' chỉ được gửi thay cho { $allowed }
api-forgery = yêu cầu từ trình duyệt phải mang mã chống giả mạo của bảng điều khiển (tiêu đề x-lienthong-csrf) và phải đến từ chính các trang của cổng này

## Yêu cầu
api-no-endpoint = không có điểm cuối này
api-send-json = hãy gửi Content-Type: application/json (nội dung có thể là {"{"}{"}"})
api-not-a-message-id = '{ $id }' không phải là mã gói tin
api-uri-too-long = đường dẫn và tham số của yêu cầu dài { $bytes } byte; cổng này chỉ nhận tối đa { $max }
api-too-many-headers = yêu cầu có { $count } trường tiêu đề; cổng này chỉ nhận tối đa { $max }
api-headers-too-large = các trường tiêu đề của yêu cầu chiếm { $bytes } byte; cổng này chỉ nhận tối đa { $max }
api-timeout = yêu cầu mất quá nhiều thời gian
api-busy = đang có quá nhiều yêu cầu được xử lý; vui lòng thử lại sau giây lát
api-rate-limited = hệ thống này gửi quá nhiều yêu cầu; hãy giảm tốc độ
api-body-too-large = nội dung lớn hơn { $max } byte
api-body-too-slow = nội dung đến chậm hơn { $rate } byte mỗi giây
api-body-unreadable = không đọc được nội dung yêu cầu
api-body-client-share = máy khách này đã có số nội dung văn bản đang gửi dở ở mức tối đa cho một máy khách; hãy hoàn tất hoặc chờ các nội dung đó trước
api-body-memory = cổng đang giữ số nội dung văn bản ở mức tối đa bộ nhớ cho phép; vui lòng thử lại sau giây lát
api-bad-parameter = giá trị của tham số truy vấn { $name } không đọc được
api-missing-parameter = thiếu tham số truy vấn { $name }
api-bad-query = không đọc được chuỗi truy vấn
api-bad-limit = limit={ $value }: hãy ghi số mục từ 1 đến { $max }
api-bad-cursor = after='{ $value }' không phải là con trỏ hợp lệ
api-bad-kind = kind='{ $value }': hãy dùng edoc hoặc status
api-bad-wait = wait={ $value }: tối đa { $max } giây
api-bad-agency = '{ $value }' không phải là mã định danh cơ quan hợp lệ
api-bad-state = state='{ $value }' không phải là trạng thái gói tin (cũng không phải 'all')
api-bad-time = { $name }='{ $value }' không phải là thời gian (hãy dùng 2026-11-22 hoặc 2026-11-22T08:00:00Z)
api-bad-sender = nơi gửi '{ $value }' không phải là mã định danh cơ quan hợp lệ (hãy ghi sender=MÃ khi DocumentId không bắt đầu bằng mã đó)
api-bad-action-body = cần gửi nội dung rỗng hoặc {"{"}"note": "lý do"{"}"}
api-bad-note = ghi chú không được chấp nhận: { $reason }
api-no-action = không có thao tác '{ $action }' (retry, suspend, resume, cancel)
api-bad-ack-body = cần gửi {"{"}"result": "done"|"fail", "note": …{"}"}
api-ack-note-too-long = ghi chú dài hơn 4096 byte
api-header-missing = thiếu tiêu đề { $name }
api-header-invalid = tiêu đề { $name } không hợp lệ
api-checksum = nội dung không khớp với lienthong-sha256
api-bad-value = { $name }='{ $value }' không hợp lệ
api-bad-choice = { $name }='{ $value }': hãy dùng một trong { $choices }
api-period-how = hãy ghi kỳ báo cáo dạng from=YYYY-MM-DD&to=YYYY-MM-DD, hoặc month=YYYY-MM, hoặc quarter=YYYYQn (một trong ba cách)
api-period-reversed = ngày cuối ({ $to }) trước ngày đầu ({ $from })
api-period-too-long = mỗi báo cáo tối đa { $max } ngày
api-own-only = agency: mỗi cơ quan chỉ xem được số liệu của mình

## Văn bản
api-not-xml = không đọc được dưới dạng XML: { $reason }
api-not-edxml = không phải là văn bản hay gói tin trạng thái edXML
api-bad-recipient = có mã nơi nhận không phải là mã định danh cơ quan hợp lệ
api-no-recipients-edoc = văn bản không có nơi nhận (To)
api-no-recipients-status = gói tin trạng thái không có ResponseFor/OrganId để gửi trả về
api-signature-refused = chữ ký số của văn bản không được chấp nhận: { $problems }
api-pdf-missing = văn bản không có tệp PDF đính kèm; tệp PDF chính phải có chữ ký số hợp lệ của cơ quan gửi { $sender }
api-pdf-unsigned = tệp PDF chính ({ $file }) không có chữ ký số hợp lệ của cơ quan gửi { $sender }
api-routing-unknown = không định tuyến được mọi nơi nhận: cơ quan { $recipient } không có trong danh bạ liên thông
api-routing-refused = không định tuyến được mọi nơi nhận: { $recipient }: { $reason }

api-crls-stale = danh sách thu hồi (CRL) đang dùng đã quá hạn cập nhật (nextUpdate) từ { $at }; hãy lấy bản mới (trust.crls) rồi nạp lại cấu hình

## Chuyển tiếp giữa các cổng
api-relay-not-neighbour = { $from } không phải là cổng liền kề của { $here } trong danh bạ
api-relay-not-through = { $from } không được chuyển văn bản gửi { $recipient } đến { $here }: danh bạ không định tuyến văn bản đó qua liên kết này
api-relay-hops-end = danh sách các chặng phải kết thúc bằng cổng gửi { $from }
api-relay-hops-path = danh sách các chặng không phải là một đường đi trong danh bạ: { $a } không chuyển tiếp cho { $b }
api-relay-not-recipient = { $recipient } không phải là nơi nhận của văn bản này
api-relay-outside = { $from } chuyển tiếp gói tin của { $sender }, cơ quan được đăng ký tại { $home }, nằm ngoài nhánh của { $from }
api-relay-own-subtree = { $from } chuyển tiếp gói tin của { $sender }, cơ quan được đăng ký tại { $home }, nằm trong nhánh của chính cổng này: gói tin đi ra qua cổng này và không bao giờ quay lại
api-relay-not-home = gói tin của { $sender } không xuất phát từ cổng nơi cơ quan đăng ký là { $home } (các chặng: { $hops })
api-relay-record-unknown = chữ ký số của văn bản không hợp lệ ({ $verdict }) và nơi gửi { $sender } không có trong danh bạ, nên không cổng nào có thể đã nhận văn bản theo chế độ 'record'

## Gói tin và kho lưu trữ
api-not-in-inbox = không có gói tin này trong hộp thư đến của cơ quan
api-not-sent-by-you = không có gói tin này do cơ quan gửi
api-not-relayed-by-you = không có gói tin này do cổng này chuyển đến
api-store-unavailable = hiện cổng không lưu được gì (lỗi lưu trữ); chưa có gì được lưu, vui lòng thử lại sau
api-internal = lỗi nội bộ; xem nhật ký của cổng
api-backup-not-configured = chưa có thư mục sao lưu: hãy đặt [backup] dir trong cấu hình rồi khởi động lại
api-backup-running = bản sao lưu { $name } đang chạy; mỗi lần chỉ một bản
api-bad-backup-body = sao lưu không nhận tham số: hãy gửi nội dung rỗng hoặc {"{"}{"}"}

## Lý do gửi không thành công, cho người vận hành
reason-refused = cổng kế tiếp từ chối gói tin: { $code }
reason-peer-status = cổng kế tiếp trả lời lỗi (HTTP { $status })
reason-receipt = biên nhận của cổng kế tiếp không hợp lệ (không do cổng đó ký, hoặc cho gói tin khác)
reason-timeout = cổng kế tiếp không trả lời kịp thời
reason-connection-refused = cổng kế tiếp từ chối kết nối: cổng không chạy, hoặc không ở địa chỉ và cổng mạng này
reason-name-unknown = không phân giải được tên máy của cổng kế tiếp (DNS)
reason-peer-certificate-untrusted = chứng thư số của cổng kế tiếp không do CA mà cổng này tin cậy ký
reason-peer-certificate-expired = chứng thư số của cổng kế tiếp đã hết hạn hoặc chưa có hiệu lực
reason-peer-certificate-name = chứng thư số của cổng kế tiếp không cấp cho địa chỉ này
reason-peer-certificate-revoked = chứng thư số của cổng kế tiếp đã bị thu hồi
reason-our-certificate-refused = cổng kế tiếp từ chối chứng thư số của cổng này (CA khác, hết hạn hoặc bị thu hồi)
reason-no-client-certificate = cổng này không có chứng thư số máy khách để xuất trình
reason-connection-lost = kết nối bị đứt trong khi truyền
reason-connection-failed = không kết nối được tới cổng kế tiếp
reason-other = gửi không thành công

## Trạng thái gói tin
state-accepted = đã tiếp nhận, chưa định tuyến
state-queued = đang chờ trong hàng đợi
state-in-flight = đang gửi
state-retry-scheduled = đang chờ gửi lại
state-suspended = người vận hành đã tạm dừng
state-dead = thư chết
state-relayed = đã chuyển tiếp
state-delivered = đã vào hộp thư đến, chưa được lấy về
state-fetched = nơi nhận đã lấy về
state-cancelled = người vận hành đã hủy
recipient-queued = đang chờ gửi tới { $hop }
recipient-in-flight = đang gửi tới { $hop } (lần thử { $attempt })
recipient-retry = gửi tới { $hop } không thành công { $attempt } lần; lần thử tiếp theo lúc { $at }
recipient-relayed = đã chuyển cho { $hop }, cổng đó đã ký biên nhận
recipient-dead = thư chết: không gửi được tới { $hop }
