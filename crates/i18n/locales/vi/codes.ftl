# Thông báo cho các mã của lienthong (crates/types/src/code.rs), tiếng Việt.
# Mỗi mã một thông báo, theo thứ tự của bảng codes!; id là
# "code-" và mã, mỗi dấu "." thay bằng "-".

## the HTTP API's refusals

code-auth-no_client_certificate = bắt buộc phải có chứng thư số máy khách
code-auth-revoked = chứng thư số máy khách đã bị thu hồi
code-auth-wrong_gateway = cơ quan được đăng ký tại một cổng liên thông khác; hệ thống quản lý văn bản của cơ quan phải gửi văn bản qua cổng đó
code-auth-unknown_agency = cơ quan ghi trong chứng thư số không có trong danh bạ của cổng liên thông này
code-auth-unidentified = chứng thư số máy khách không xác định cơ quan, cổng liên thông hay người vận hành nào
code-auth-forbidden = danh tính này không được phép sử dụng điểm cuối (endpoint) này
code-auth-wrong_agency = văn bản là của một cơ quan khác với cơ quan ghi trong chứng thư số
code-auth-relay_not_routed = danh bạ không định tuyến gói tin chuyển tiếp này qua cổng liên thông gửi
code-request-too_large = nội dung yêu cầu lớn hơn mức cổng liên thông chấp nhận
code-request-bad_request = yêu cầu không đúng định dạng
code-request-uri_too_long = đường dẫn và chuỗi truy vấn của yêu cầu dài hơn mức cổng liên thông chấp nhận
code-request-headers_too_large = các trường tiêu đề (header) của yêu cầu nhiều hơn hoặc lớn hơn mức cổng liên thông chấp nhận
code-request-rate_limited = có quá nhiều yêu cầu từ hệ thống kết nối này
code-request-timeout = yêu cầu kéo dài quá thời gian cho phép
code-server-busy = cổng liên thông đã đạt giới hạn xử lý; vui lòng thử lại sau ít phút
code-document-unreadable = không đọc được văn bản dưới dạng XML
code-document-not_edxml = văn bản không phải là edXML
code-document-ambiguous = một phần tử chỉ được xuất hiện một lần (envelope, header, MessageHeader, From, hoặc ResponseFor hay StatusCode của gói tin trạng thái) lại xuất hiện thêm lần nữa
code-document-replayed = văn bản này (cùng nơi gửi, cùng nội dung byte) đã được nhận trước đó với một mã gói tin khác
code-document-bad_recipient = một mã nơi nhận không phải là mã định danh cơ quan hợp lệ
code-document-no_recipients = văn bản không ghi nơi nhận nào
code-document-checksum = nội dung không khớp với giá trị SHA-256 đã khai báo
code-signature-required = chữ ký số của văn bản không được chấp nhận
code-routing-refused = không thể định tuyến tới một nơi nhận
code-store-conflict = xung đột với dữ liệu đã lưu trữ (DocumentId đã được sử dụng)
code-state-invalid = gói tin không ở trạng thái cho phép thao tác này
code-not_found = không tìm thấy đối tượng được yêu cầu tại đây
code-store-purged = nội dung đã bị xóa theo thời hạn lưu giữ; siêu dữ liệu, lịch sử và biên nhận vẫn được giữ lại
code-store-unavailable = cổng liên thông hiện không thể lưu trữ dữ liệu
code-backup-not_configured = chưa cấu hình thư mục sao lưu
code-backup-running = đang có một lượt sao lưu được thực hiện
code-internal = lỗi nội bộ; xem nhật ký của cổng liên thông

## the strict XML reader

code-xml-doctype = không cho phép khai báo DOCTYPE
code-xml-duplicate_attribute = một thuộc tính bị lặp lại
code-xml-invalid_char = ký tự không được XML cho phép
code-xml-invalid_char_ref = tham chiếu ký tự trỏ tới một ký tự không được XML cho phép
code-xml-invalid_name = tên XML không hợp lệ
code-xml-invalid_utf8 = dữ liệu không được mã hóa theo UTF-8
code-xml-limit = vượt quá giới hạn về kích thước, độ sâu hoặc số lượng
code-xml-lt_in_attribute = ký tự '<' nằm trong giá trị thuộc tính
code-xml-mismatched_tag = thẻ đóng không khớp với thẻ mở
code-xml-misplaced_declaration = khai báo XML không nằm ở đầu văn bản
code-xml-multiple_roots = có nhiều hơn một phần tử gốc
code-xml-namespace = khai báo không gian tên (namespace) không được XML cho phép
code-xml-no_root = không có phần tử gốc
code-xml-syntax = lỗi cú pháp XML
code-xml-text_outside_root = có nội dung ký tự (text) nằm ngoài phần tử gốc
code-xml-truncated = văn bản kết thúc sớm hơn dự kiến
code-xml-undeclared_prefix = tiền tố không gian tên (namespace prefix) chưa được khai báo
code-xml-unknown_entity = thực thể (entity) không được XML định nghĩa sẵn
code-xml-unmatched_end_tag = thẻ đóng không có thẻ mở tương ứng
code-xml-unsupported_encoding = sử dụng bảng mã khác UTF-8

## edXML: errors and warnings

code-edxml-not_edxml = không phải là văn bản edXML hoặc gói tin trạng thái
code-edxml-missing_element = thiếu một phần tử bắt buộc
code-edxml-ambiguous = một phần tử xác định nơi gửi hoặc nơi nhận của văn bản xuất hiện nhiều hơn một lần
code-edxml-attachment_not_in_manifest = tệp đính kèm không được liệt kê trong danh mục tệp (manifest)
code-edxml-attachment_unreadable = không đọc được tệp đính kèm
code-edxml-bad_boolean = không phải là giá trị logic (boolean)
code-edxml-bad_date = không phải là giá trị ngày tháng
code-edxml-bad_number = không phải là giá trị số
code-edxml-bad_recipient = nơi nhận không có mã định danh cơ quan hợp lệ
code-edxml-bad_timestamp = không phải là giá trị ngày giờ (timestamp)
code-edxml-business_spelling = phần tử nghiệp vụ (Business) được viết không theo cách viết chuẩn
code-edxml-duplicate_recipient = một nơi nhận được ghi hai lần
code-edxml-legacy_signature = chữ ký số theo định dạng cũ của SDK
code-edxml-manifest_without_attachment = danh mục tệp (manifest) liệt kê một tệp đính kèm không có trong gói tin
code-edxml-multiple_signatures = có nhiều hơn một chữ ký số
code-edxml-no_document_id = không có DocumentId
code-edxml-no_recipients = không có nơi nhận
code-edxml-no_response_for = gói tin trạng thái không có ResponseFor
code-edxml-no_subject = không có trích yếu
code-edxml-odd_agency_code = mã định danh cơ quan không phải là mã hợp lệ
code-edxml-repeated_element = một phần tử chỉ được xuất hiện một lần lại bị lặp lại
code-edxml-signature_misplaced = chữ ký số không nằm đúng vị trí
code-edxml-unexpected_children = có phần tử con ngoài dự kiến
code-edxml-unknown_business_type = loại nghiệp vụ không xác định
code-edxml-unknown_element = phần tử không xác định (vẫn được giữ lại)
code-edxml-unknown_priority = độ khẩn không xác định
code-edxml-unknown_status_code = mã trạng thái không xác định

## XML signatures

code-sig-unsigned = văn bản chưa được ký số
code-sig-legacy = chữ ký số theo định dạng cũ của SDK quốc gia, không thể xác thực
code-sig-multiple = có nhiều hơn một chữ ký số
code-sig-misplaced = chữ ký số không nằm ở vị trí mà quy định kỹ thuật (profile) yêu cầu
code-sig-duplicate_id = hai phần tử có cùng Id
code-sig-malformed = chữ ký số không đúng định dạng
code-sig-unsupported = thuật toán hoặc phép biến đổi (transform) bị quy định kỹ thuật (profile) từ chối
code-sig-hmac = chữ ký HMAC, không chứng minh được gì về người ký
code-sig-digest_mismatch = văn bản đã bị thay đổi sau khi ký
code-sig-refused_reference = tham chiếu (reference) bị quy định kỹ thuật (profile) từ chối
code-sig-partial = chữ ký số không bao phủ toàn bộ văn bản
code-sig-key_info = không sử dụng được KeyInfo
code-sig-no_certificate = không có chứng thư số của người ký
code-sig-c14n = chuẩn hóa (canonicalization) thất bại
code-sig-bad_value = giá trị chữ ký không xác thực được
code-sig-weak = thuật toán yếu (SHA-1)
code-sig-wrong_agency = người ký không đại diện cho cơ quan gửi

## certificates

code-cert-malformed = chứng thư số không đọc được
code-cert-expired = chứng thư số đã hết hạn
code-cert-not_yet_valid = chứng thư số khi đó chưa có hiệu lực
code-cert-revoked = chứng thư số đã bị thu hồi
code-cert-untrusted = chứng thư số không liên kết được tới một chứng thư gốc tin cậy
code-cert-crl_expired = danh sách chứng thư số bị thu hồi (CRL) đang sử dụng đã quá thời điểm nextUpdate
code-cert-revocation_unknown = không có danh sách chứng thư số bị thu hồi (CRL) nào xác định được tình trạng của chứng thư số
code-cert-bad_chain_signature = một chữ ký trong chuỗi chứng thư số không xác thực được
code-cert-ca_as_signer = chứng thư số của CA được dùng để ký văn bản
code-cert-no_key_usage = chứng thư số không có mục đích sử dụng khóa (key usage) cho việc ký
code-cert-key_usage = mục đích sử dụng khóa (key usage) của chứng thư số không cho phép ký
code-cert-no_trust_roots = chưa cấu hình chứng thư gốc tin cậy (trust anchor) nào
code-cert-invalid = chứng thư số không hợp lệ

## hop receipts

code-receipt-wrong_gateway = biên nhận được ký bởi hoặc dành cho một cổng liên thông khác
code-receipt-other_message = biên nhận dành cho một mã gói tin khác
code-receipt-other_document = biên nhận dành cho một nội dung byte khác
code-receipt-invalid = chữ ký của biên nhận không hợp lệ
code-receipt-unreadable = không đọc được biên nhận

## routing decisions

code-routing-unknown_agency = cơ quan không có trong danh bạ
code-routing-agency_not_valid = cơ quan nằm ngoài khoảng thời gian hiệu lực
code-routing-loop = gói tin sẽ đi qua lại một cổng liên thông đã đi qua
code-routing-hop_limit = gói tin đã đi qua quá nhiều cổng liên thông
code-routing-unknown_gateway = cổng liên thông không có trong danh bạ

## the store

code-store-not_found = không có gói tin này trong kho lưu trữ
code-store-id_conflict = mã gói tin đã được dùng cho một nội dung byte khác
code-store-replayed = cùng nội dung byte của cùng nơi gửi đã được lưu với một mã gói tin khác
code-store-invalid_input = kho lưu trữ từ chối dữ liệu đầu vào này
code-store-invalid_state = gói tin không ở trạng thái cho phép thao tác này
code-store-io = lỗi vào/ra (I/O) của bộ lưu trữ
code-store-flush = kho lưu trữ không thể ghi bền vững dữ liệu và từ chối mọi thao tác ghi cho đến khi được mở lại
code-store-sled = bộ máy lưu trữ siêu dữ liệu gặp lỗi
code-store-database = không kết nối được cơ sở dữ liệu PostgreSQL hoặc thao tác không hoàn tất
code-store-corrupt = kho lưu trữ bị hỏng
code-store-unsupported_format = kho lưu trữ có định dạng mà phiên bản này không đọc được

## signing and key handling

code-dsig-key = khóa bí mật không sử dụng được
code-dsig-certificate = chứng thư số không sử dụng được
code-dsig-sign = ký số thất bại
code-dsig-c14n = chuẩn hóa (canonicalization) thất bại
code-dsig-receipt = biên nhận không đọc được

## the national axis's DMS protocol (VXP)

code-vxp-unsigned = yêu cầu không có XroadVnpt-sign-header hoặc XroadVnpt-hash-header, hoặc có nhiều hơn một
code-vxp-malformed = tiêu đề đã ký không phải là một đối tượng JSON gồm các thành phần XroadVnpt-, hoặc một tham số bị thiếu hay sai
code-vxp-unknown_system = không có hệ thống nào với systemid này được cấu hình tại đây
code-vxp-bad_signature = giá trị HMAC của tiêu đề đã ký không khớp với khóa bí mật (secret) của hệ thống
code-vxp-header_mismatch = giá trị của một tiêu đề không khớp với tiêu đề đã ký, hoặc thiếu một tiêu đề đã được ký
code-vxp-clock_skew = dấu thời gian của yêu cầu lệch so với đồng hồ của cổng liên thông nhiều hơn mức cho phép
code-vxp-hash_mismatch = tệp không khớp với XroadVnpt-hash-file của tệp
code-vxp-agency_not_allowed = hệ thống không được phép gửi với danh nghĩa hoặc nhận thay cho cơ quan này
code-vxp-unknown_operation = không có thao tác này trong API VXP
code-vxp-not_supported = cơ quan do người vận hành đăng ký trong danh bạ, không đăng ký qua API VXP
code-vxp-not_found = không có văn bản này đối với hệ thống

## signatures inside PDF files

code-pdf-too_large = tệp PDF lớn hơn mức công cụ xác thực chấp nhận
code-pdf-unreadable = tệp không phải là tệp PDF đọc được
code-pdf-xref = dữ liệu tham chiếu chéo (cross-reference) của tệp PDF bị hỏng
code-pdf-too_complex = tệp PDF vượt quá giới hạn về độ lồng nhau, số đối tượng, số phiên bản sửa đổi hoặc kích thước sau giải nén
code-pdf-unsigned = tệp PDF không có chữ ký số
code-pdf-byte_range = ByteRange của một chữ ký không đúng định dạng hoặc không bao đúng phần /Contents của chữ ký
code-pdf-cms = không đọc được dữ liệu CMS của một chữ ký
code-pdf-subfilter = định dạng chữ ký (SubFilter) mà công cụ xác thực không hỗ trợ
code-pdf-digest_mismatch = dữ liệu đã ký bị thay đổi sau khi ký
code-pdf-bad_signature = giá trị chữ ký không xác thực được bằng khóa của người ký
code-pdf-no_certificate = CMS không chứa chứng thư số của người ký
code-pdf-modified = tệp đã bị thay đổi sau khi ký theo cách mà chữ ký không cho phép
code-pdf-weak = thuật toán yếu (SHA-1, hoặc RSA dưới 2048 bit)
code-pdf-timestamp_invalid = tem thời gian của chữ ký không hợp lệ
code-pdf-timestamp_weak = tem thời gian sử dụng thuật toán yếu (SHA-1)
code-pdf-later_revision = chữ ký chỉ bao phủ một phiên bản sửa đổi trước đó; tệp còn được bổ sung nội dung sau khi ký
code-pdf-time_local = thời gian ký được khai báo có vẻ là giờ Việt Nam nhưng lại được ghi là UTC
code-pdf-time_differs = thời gian ký được khai báo và tem thời gian không khớp nhau
code-pdf-leaf_only = CMS chỉ chứa chứng thư số của người ký; các chứng thư trung gian được lấy từ cấu hình tin cậy
code-pdf-revocation_unchecked = không có CRL nào đã cấu hình áp dụng cho người ký, vì vậy tình trạng thu hồi chưa được kiểm tra
code-pdf-no_organisation_signature = tệp PDF chính không có chữ ký số hợp lệ của cơ quan, tổ chức gửi

## the command line

code-usage-at = --at không phải là một thời điểm hợp lệ
code-usage-credentials = không sử dụng được chứng thư số hoặc khóa của máy khách
code-usage-crl = không đọc được danh sách chứng thư số bị thu hồi
code-usage-directory = không đọc được tệp danh bạ
code-usage-document = không đọc được văn bản
code-usage-empty = không có gì để thực hiện
code-usage-gateway = không kết nối được tới cổng liên thông
code-usage-not_edxml = tệp không phải là edXML
code-usage-not_status = tệp không phải là gói tin trạng thái
code-usage-trust = không đọc được chứng thư gốc tin cậy (trust anchor)
code-io-read = không đọc được tệp
code-io-write = không ghi được tệp
code-connection = không kết nối được tới cổng liên thông
code-connection-refused = không có dịch vụ nào nghe ở địa chỉ và cổng của cổng liên thông
code-connection-unresolved = không phân giải được tên máy của cổng liên thông
code-connection-server_untrusted = chứng thư số của cổng liên thông không do CA trong --ca cấp
code-connection-name_mismatch = chứng thư số của cổng liên thông không mang tên có trong URL
code-connection-server_expired = chứng thư số của cổng liên thông đã hết hạn hoặc chưa có hiệu lực
code-connection-client_refused = cổng liên thông từ chối chứng thư số máy khách
code-connection-closed = cổng liên thông đóng kết nối mà không trả lời
code-connection-timeout = cổng liên thông không trả lời trong thời gian chờ
code-usage-profile = không đọc hoặc ghi được hồ sơ kết nối
code-runtime = không khởi chạy được lệnh
