# Các lệnh cục bộ của lienthong (verify, inspect, sign, certs, check-store, serve),
# tiếng Việt. Id là "cli-", tên lệnh, rồi nội dung thông báo.
# Các lệnh làm việc với cổng liên thông (send, inbox, queue…) có id riêng ("remote-…").

## verify: lỗi

cli-verify-error = lỗi: { $message } [{ $code }]
cli-verify-cannot-read = không đọc được { $file }: { $error }
cli-verify-bad-at = --at '{ $at }' không phải là một thời điểm (hãy ghi dạng 2026-11-22 hoặc 2026-11-22T08:00:00Z)
cli-verify-not-xml = { $file }: không đọc được dưới dạng XML: { $error }
cli-verify-document-without-receipt = --document chỉ dùng cho biên nhận: tùy chọn này kiểm tra biên nhận có đúng là của văn bản đó hay không

## verify: ghi chú và vấn đề bổ sung vào kết quả kiểm tra biên nhận

cli-verify-note-receipt-time = chứng thư số được kiểm tra tại thời điểm ReceivedAt ghi trong biên nhận, tức là lúc cổng liên thông ký biên nhận (dùng --at để kiểm tra tại thời điểm khác)
cli-verify-note-gateway-cert-expired = chứng thư số của cổng liên thông đã hết hạn lúc { $date }: biên nhận hợp lệ tại thời điểm ghi trong biên nhận, không phải tại thời điểm hiện nay
cli-verify-note-receipt-for = biên nhận này đúng là của { $file } (SHA-256 { $sha })
cli-verify-problem-receipt-other-document = biên nhận là của văn bản có SHA-256 { $expected }, nhưng { $file } có SHA-256 { $sha }

## verify: đối tượng được kiểm tra

cli-verify-what-receipt = biên nhận
cli-verify-what-edoc = văn bản edXML của { $agency }
cli-verify-what-status = gói tin trạng thái edXML của { $agency }
cli-verify-what-xml = văn bản XML
cli-verify-attachment = Tệp đính kèm { $name }:

## verify: kết quả kiểm tra

cli-verify-verdict-valid = HỢP LỆ: chữ ký số còn nguyên vẹn và được tin cậy
cli-verify-verdict-unsigned = CHƯA KÝ
cli-verify-verdict-legacy = DẠNG CŨ: chữ ký số theo dạng cũ, không thể kiểm tra
cli-verify-verdict-invalid = KHÔNG HỢP LỆ
cli-verify-word-valid = HỢP LỆ
cli-verify-word-invalid = KHÔNG HỢP LỆ
cli-verify-word-weak = YẾU
cli-verify-word-untrusted = KHÔNG TIN CẬY
cli-verify-word-unsigned = CHƯA KÝ
cli-verify-word-legacy = DẠNG CŨ
cli-verify-label-document = Văn bản:
cli-verify-label-receipt = Biên nhận:
cli-verify-label-signer = Người ký:
cli-verify-label-agency = Cơ quan:
cli-verify-label-valid = Hiệu lực:
cli-verify-label-serial = Số sê-ri:
cli-verify-label-chain = Chuỗi chứng thực:
cli-verify-label-checked-at = Thời điểm kiểm tra:
cli-verify-label-algorithm = Thuật toán:
cli-verify-label-covers = Phạm vi ký:
cli-verify-receipt = gói tin { $message } (sha256 { $sha }) do { $gateway } nhận tại chặng { $hop }
cli-verify-no-agency = (chứng thư số không ghi cơ quan nào)
cli-verify-validity = từ { $from } đến { $to }
cli-verify-algorithm = { $algorithm }, hàm băm { $digest }
cli-verify-problems = Vấn đề:
cli-verify-notes = Ghi chú:

## verify: kết quả kiểm tra tệp PDF

cli-verify-pdf-verdict-valid = HỢP LỆ: mọi chữ ký số đều còn nguyên vẹn và được tin cậy
cli-verify-pdf-verdict-weak = YẾU: các chữ ký số vẫn đúng, nhưng dùng thuật toán yếu (SHA-1 hoặc khóa RSA ngắn)
cli-verify-pdf-verdict-untrusted = KHÔNG TIN CẬY: chữ ký số còn nguyên vẹn, nhưng chứng thư số của một người ký không dẫn tới chứng thư số gốc nào được tin cậy
cli-verify-pdf-verdict-unsigned = CHƯA KÝ: tệp PDF không có chữ ký số nào
cli-verify-pdf-verdict-invalid = KHÔNG HỢP LỆ
cli-verify-pdf-unreadable = KHÔNG ĐỌC ĐƯỢC: { $file }: { $message } [{ $code }]
cli-verify-pdf-label-file = Tệp:
cli-verify-pdf-label-organisation = Tổ chức:
cli-verify-pdf-label-certificate = Chứng thư số:
cli-verify-pdf-label-signed-at = Thời điểm ký:
cli-verify-pdf-label-timestamp = Tem thời gian:
cli-verify-pdf-label-added-after = Thêm sau khi ký:
cli-verify-pdf-file = { $file } ({ $revisions } phiên bản)
cli-verify-pdf-signature = Chữ ký { $index } ({ $role }, trường { $field }): { $verdict }
cli-verify-pdf-role-person = cá nhân
cli-verify-pdf-role-organisation = tổ chức
cli-verify-pdf-role-timestamp = tem thời gian
cli-verify-pdf-certificate = số sê-ri { $serial }, hiệu lực từ { $from } đến { $to }
cli-verify-pdf-signed-at = { $time } (theo khai báo của người ký)
cli-verify-pdf-signed-at-none = không ghi
cli-verify-pdf-timestamp = { $time }, do { $tsa } cấp
cli-verify-pdf-not-valid = KHÔNG HỢP LỆ
cli-verify-pdf-covers-whole-file = toàn bộ tệp
cli-verify-pdf-covers-revision = phiên bản { $revision } trong tổng số { $revisions } phiên bản
cli-verify-pdf-covers-unclear = một phần không xác định rõ của tệp
cli-verify-pdf-change-signatures = các chữ ký số ký sau
cli-verify-pdf-change-metadata = thông tin tài liệu và cấu trúc biểu mẫu
cli-verify-pdf-change-form-fields = điền thông tin vào các trường biểu mẫu
cli-verify-pdf-change-annotations = ghi chú, con dấu hoặc chú thích khác
cli-verify-pdf-change-pages = thêm hoặc bớt trang
cli-verify-pdf-change-content = nội dung trang bị thay đổi
cli-verify-pdf-change-other = các thay đổi khác
cli-verify-pdf-checked-at = { $time }; tình trạng thu hồi: { $revocation }
cli-verify-pdf-revocation-checked = đã kiểm tra
cli-verify-pdf-revocation-unchecked = chưa kiểm tra
cli-verify-pdf-revocation-revoked = đã bị thu hồi

## verify: --help

cli-verify-help-file = Tệp edXML đã ký (kiểm tra chữ ký số của gói tin, sau đó các chữ ký số trong từng tệp PDF đính kèm), một biên nhận, hoặc một tệp PDF (mọi chữ ký số trong tệp)
cli-verify-help-trust = Chứng thư số gốc được tin cậy (PEM), có thể dùng nhiều lần. Với tệp PDF, các chứng thư số này được thêm vào các chứng thư số gốc của CA Chính phủ, vốn luôn được tin cậy
cli-verify-help-intermediates = Với chữ ký số trong PDF: chứng thư số của các CA trung gian (PEM) dùng cho mọi chuỗi chứng thực, có thể dùng nhiều lần (chữ ký số thường chỉ kèm chứng thư số của người ký)
cli-verify-help-crl = Danh sách chứng thư số bị thu hồi - CRL (PEM hoặc DER), có thể dùng nhiều lần
cli-verify-help-directory = Danh bạ liên thông (TOML, hoặc JSON nếu tên tệp kết thúc bằng `.json`): chứng thư số ký được gắn với một cơ quan trong danh bạ (`signers`) được coi là ký thay mặt cơ quan đó, như tại cổng liên thông
cli-verify-help-at = Kiểm tra chứng thư số tại thời điểm này (RFC 3339 hoặc YYYY-MM-DD, giờ UTC); mặc định là hiện tại, với biên nhận là thời điểm nhận gói tin ghi trong biên nhận. Chữ ký số trong PDF được kiểm tra tại thời điểm của chính nó (theo tem thời gian, nếu không có thì theo thời điểm ký được khai báo); thời điểm này dùng cho các chữ ký số không ghi thời điểm
cli-verify-help-document = Với biên nhận: tệp văn bản mà biên nhận phải thuộc về (SHA-256 phải khớp)
cli-verify-help-json = In kết quả dạng JSON

## inspect

cli-inspect-cannot-read = không đọc được { $file }: { $error }
cli-inspect-error = lỗi: { $file }: { $message } [{ $code }]
cli-inspect-edoc = Văn bản edXML (edoc)
cli-inspect-status = Gói tin trạng thái edXML
cli-inspect-label-from = Nơi gửi:
cli-inspect-label-to = Nơi nhận:
cli-inspect-label-document-id = DocumentId:
cli-inspect-label-code = Số, ký hiệu:
cli-inspect-label-date = Ngày ban hành:
cli-inspect-label-subject = Trích yếu:
cli-inspect-label-business = Nghiệp vụ:
cli-inspect-label-attachments = Tệp đính kèm:
cli-inspect-label-signature = Chữ ký số:
cli-inspect-label-status = Trạng thái:
cli-inspect-label-about = Về văn bản:
cli-inspect-label-description = Mô tả:
cli-inspect-label-time = Thời điểm:
cli-inspect-to-none = (không có)
cli-inspect-attachment-unnamed = (không có tên)
cli-inspect-attachment-unknown-type = không rõ định dạng
cli-inspect-attachment-size-unknown = không rõ kích thước
cli-inspect-attachment-size = { $bytes } byte
cli-inspect-signature-none = không có
cli-inspect-signature-legacy = có, theo dạng cũ của SDK (không kiểm tra được)
cli-inspect-signature-present = có ({ $algorithm }); kiểm tra bằng lệnh `lienthong verify`
cli-inspect-signature-unknown-algorithm = thuật toán không xác định
cli-inspect-warnings = Cảnh báo ({ $count }):
cli-inspect-warning-at = dòng { $line }, cột { $column }: { $message } [{ $code }]
cli-inspect-help-file = Tệp edXML
cli-inspect-help-json = In kết quả dạng JSON thay cho văn bản thường

## sign

cli-sign-error = lỗi: { $message }
cli-sign-cannot-read = không đọc được { $file }: { $error }
cli-sign-cannot-write = không ghi được { $file }: { $error }
cli-sign-written = đã ký bởi { $signer }: ghi vào { $file }
cli-sign-written-stdout = đã ký bởi { $signer }: ghi ra đầu ra chuẩn
cli-sign-warning = cảnh báo: cổng liên thông sẽ từ chối tệp đã ký này: { $problem }
cli-sign-cert-expired = chứng thư số của người ký đã hết hạn từ { $date }; hãy ký bằng chứng thư số còn hiệu lực
cli-sign-cert-not-yet = chứng thư số của người ký chỉ có hiệu lực từ { $date }
cli-sign-help-key = Khóa bí mật của người ký (PKCS#8 PEM)
cli-sign-help-cert = Chứng thư số của người ký (PEM)
cli-sign-help-chain = Chứng thư số trung gian đưa kèm vào chữ ký (PEM), có thể dùng nhiều lần
cli-sign-help-input = Tệp cần ký
cli-sign-help-output = Nơi ghi tệp đã ký (mặc định: đầu ra chuẩn)

## certs

cli-certs-generate-failed = lỗi: không tạo được hạ tầng khóa công khai (PKI): { $error }
cli-certs-written = Đã ghi hạ tầng khóa công khai (PKI) dùng cho phát triển (CHỈ DÙNG CHO PHÁT TRIỂN) vào { $dir }: { $count } tệp
cli-certs-write-failed = lỗi: không ghi được vào { $dir }: { $error }
cli-certs-help-dev = Tạo hạ tầng khóa công khai (PKI) dùng cho phát triển (CHỈ DÙNG CHO PHÁT TRIỂN: các khóa không được giữ bí mật)
cli-certs-help-out = Thư mục ghi kết quả
cli-certs-help-status = Dành cho người vận hành: mọi chứng thư số mà một cổng liên thông đang chạy phụ thuộc vào (của chính cổng, của các chặng kế tiếp, của các hệ thống kết nối) và số ngày còn lại của từng chứng thư số, chứng thư số hết hạn sớm nhất đứng đầu

## store migrate

cli-store-help-migrate = Sao chép kho lưu trữ của một cổng đã dừng sang một kho trống trên bộ máy khác (sled ↔ PostgreSQL), rồi kiểm tra bản sao
cli-store-help-from = Kho cần sao chép: sled:THƯ_MỤC, postgres://NGƯỜI_DÙNG@MÁY:CỔNG/CSDL hoặc config:TỆP (kho mà cấu hình cổng chỉ ra)
cli-store-help-to = Kho trống cần ghi vào: sled:THƯ_MỤC, postgres://… hoặc config:TỆP
cli-store-help-password-file = Mật khẩu của kho postgres://, đọc từ tệp này
cli-store-error = lỗi: { $message }
cli-store-endpoint = { $given }: hãy chỉ ra kho ở đâu: sled:THƯ_MỤC, postgres://NGƯỜI_DÙNG@MÁY:CỔNG/CSDL hoặc config:TỆP
cli-store-dest-not-empty = { $dest } không trống: chỉ sao chép vào một kho trống (thư mục mới hoặc cơ sở dữ liệu mới)
cli-store-same = { $store } vừa là nguồn vừa là đích
cli-store-copy-failed = việc sao chép dừng lại: { $error } (đích đã có một phần dữ liệu: hãy làm trống hoặc tạo đích mới trước khi thử lại)
cli-store-copied = đã sao chép { $from } sang { $to }: { $entries } mục, { $payloads } nội dung ({ $bytes } byte), { $seconds } giây
cli-store-states-differ = số thông điệp theo trạng thái khác nhau: nguồn { $before }, bản sao { $after }
cli-store-verified = đã kiểm tra: bản sao không có lỗi nào ({ $messages } thông điệp, { $payloads } nội dung được đọc lại và so SHA-256)

## check-store

cli-check-store-error = lỗi: { $message }
cli-check-store-no-store-given = lỗi: hãy chỉ ra --config FILE hoặc --data DIR
cli-check-store-no-dir = lỗi: { $dir }: không có kho lưu trữ ở đây (thư mục data_dir không tồn tại)
cli-check-store-no-meta = lỗi: { $dir }: không có kho lưu trữ ở đây (không có meta/db): data_dir đã đúng chưa?
cli-check-store-still-running = (cổng liên thông có còn đang chạy không? hãy dừng cổng trước: kho lưu trữ chỉ mở được cho một tiến trình)
cli-check-store-check-failed = lỗi: khi kiểm tra { $dir }: { $error }
cli-check-store-counts = { $dir }: đã kiểm tra { $messages } gói tin, { $queue } mục trong hàng đợi, { $inbox } mục trong hộp thư đến, { $payloads } nội dung gói tin
cli-check-store-hashes-read = đã đọc lại và so khớp SHA-256
cli-check-store-healthy = kho lưu trữ bình thường, không phát hiện lỗi
cli-check-store-problems = { $count } vấn đề:
cli-check-store-help-config = Tệp cấu hình cổng liên thông (TOML); thư mục `gateway.data_dir` trong đó sẽ được kiểm tra
cli-check-store-help-data = Kiểm tra một thư mục dữ liệu khác (ví dụ bản sao lưu tạo bởi `lienthong backup`; khi mở, kho lưu trữ được phục hồi như khi khôi phục từ bản sao lưu)
cli-check-store-help-hashes = Đọc lại mọi nội dung gói tin và so khớp SHA-256 (đọc toàn bộ nhật ký lưu trữ)

## serve

cli-serve-error = lỗi: { $message }
cli-serve-config-valid = { $file }: cấu hình hợp lệ (cổng liên thông { $gateway })
cli-serve-warning = cảnh báo: { $message }
cli-serve-no-runtime = lỗi: không khởi động được môi trường chạy (runtime): { $error }
cli-serve-no-signals = lỗi: không cài đặt được bộ xử lý tín hiệu (signal handler)
cli-serve-help-config = Tệp cấu hình cổng liên thông (TOML)
cli-serve-help-log-format = Định dạng nhật ký
cli-serve-help-check = Kiểm tra cấu hình cùng mọi khóa, chứng thư số và CRL được khai báo trong đó, rồi thoát
cli-serve-help-log-text = Các dòng văn bản dễ đọc
cli-serve-help-log-json = Mỗi dòng một đối tượng JSON

## Chính dòng lệnh: trang trợ giúp và lỗi cú pháp
cli-help-about = lienthong: cổng liên thông văn bản điện tử giữa các cơ quan (edXML, QCVN 102:2016).
cli-help-usage = Cách dùng:
cli-help-commands = Lệnh
cli-help-command = LỆNH
cli-help-options = Tùy chọn
cli-help-arguments = Đối số
cli-help-lang = Ngôn ngữ hiển thị: vi (mặc định) hoặc en; nếu không ghi, theo LC_ALL, LC_MESSAGES hoặc LANG
cli-help-help = In trợ giúp
cli-help-version = In phiên bản
cli-usage-error = lỗi: { $what }
cli-usage-unknown-argument = đối số không hợp lệ { $arg }
cli-usage-unknown-command = không có lệnh '{ $command }'
cli-usage-invalid-value = '{ $value }' không phải là giá trị hợp lệ cho { $arg }
cli-usage-missing = thiếu đối số bắt buộc: { $arg }
cli-usage-missing-command = cần có một lệnh
cli-usage-conflict = { $arg } không dùng được cùng với một đối số đã ghi
cli-usage-values = số giá trị của { $arg } không đúng
cli-usage-other = không đọc được dòng lệnh
cli-usage-see-help = Xem thêm: thêm --help.

## Trợ giúp: các lệnh

cli-help-cmd-demo = Trình diễn lienthong hoạt động trọn vẹn từ đầu đến cuối với dữ liệu mẫu có sẵn; không cần cài đặt gì
cli-help-cmd-inspect = Hiển thị nội dung của một văn bản edXML hoặc gói tin trạng thái
cli-help-cmd-sign = Ký số một tệp bằng chữ ký XML dạng nhúng (enveloped) trên toàn bộ văn bản
cli-help-cmd-verify = Kiểm tra ai đã ký một văn bản, một biên nhận hoặc một tệp PDF, và nội dung có bị thay đổi từ khi ký hay không
cli-help-cmd-certs = Chứng thư số: `certs dev --out DIR` tạo hạ tầng khóa công khai (PKI) dùng cho phát triển; `certs status` cho biết khi nào các chứng thư số mà một cổng liên thông phụ thuộc vào hết hạn
cli-help-cmd-serve = Chạy một cổng liên thông
cli-help-cmd-send = Gửi các tệp edXML (một tệp, hoặc mọi tệp .edxml trong một thư mục) tới cổng liên thông
cli-help-cmd-inbox = Hộp thư đến của cơ quan: liệt kê (list), lấy về (get), xác nhận (ack)
cli-help-cmd-status = Gửi một gói tin trạng thái (tương đương lệnh `send` cho một tệp)
cli-help-cmd-track = Theo dõi một gói tin đã gửi: tình trạng tại từng nơi nhận, các chặng, biên nhận, trạng thái xử lý, lịch sử
cli-help-cmd-queue = Dành cho người vận hành: hàng đợi, gói tin theo trạng thái, gửi lại/tạm dừng/tiếp tục/hủy
cli-help-cmd-store = Vận hành: chuyển kho lưu trữ của một cổng đã dừng sang bộ máy khác (store migrate)
cli-help-cmd-check-store = Dành cho người vận hành: kiểm tra kho lưu trữ của một cổng liên thông đã dừng (gói tin, hàng đợi, hộp thư đến, nội dung gói tin)
cli-help-cmd-backup = Dành cho người vận hành: sao lưu kho lưu trữ của một cổng liên thông đang chạy (vào thư mục `[backup] dir` của cổng) và chờ sao lưu xong
cli-help-cmd-report = Dành cho người vận hành: báo cáo tình hình tuân thủ theo từng cơ quan trong một kỳ, nhóm theo cấp (dạng bảng, CSV, XLSX hoặc JSON)
cli-help-cmd-profile = Hồ sơ kết nối: cổng liên thông nào, với chứng thư số nào, lưu dưới một tên (add, list, remove)
