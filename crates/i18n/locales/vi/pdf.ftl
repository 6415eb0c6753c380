# Signatures inside PDF files (lienthong-pdfsig): problems and notes of a report.

## phần ghép vào các thông báo khác

# Để trống: một vị trí không dùng trong danh sách, hoặc không có tiền tố.
pdf-empty = {""}
pdf-prefix-tsa = đơn vị cấp tem thời gian:{" "}
pdf-prefix-tsa-short = đơn vị cấp tem thời gian (TSA):{" "}

## vị trí của chữ ký trong tệp: ByteRange và /Contents

pdf-subfilter = định dạng chữ ký số '{ $format }' (SubFilter) không được hỗ trợ
pdf-byterange-missing = chữ ký số không có /ByteRange
pdf-byterange-value = /ByteRange chứa giá trị âm hoặc không phải số nguyên
pdf-byterange-count = /ByteRange có { $count } số thay vì 4
pdf-byterange-start = /ByteRange không bắt đầu từ đầu tệp
pdf-byterange-overlap = hai phần của /ByteRange chồng lên nhau
pdf-byterange-past-end = /ByteRange vượt quá cuối tệp (tệp có { $size } byte)
pdf-byterange-not-revision = phần dữ liệu được ký không kết thúc đúng tại điểm kết thúc của bất kỳ phiên bản nào của tệp
pdf-gap-outside = khoảng trống giữa hai phần của /ByteRange nằm ngoài tệp
pdf-gap-not-contents = phần dữ liệu nằm ngoài /ByteRange không phải là chuỗi hex /Contents
pdf-gap-not-one-string = phần dữ liệu nằm ngoài /ByteRange không phải là một chuỗi hex duy nhất
pdf-gap-other-contents = phần dữ liệu nằm ngoài /ByteRange không phải là /Contents của chữ ký số này
pdf-gap-before-dictionary = khoảng trống của /ByteRange nằm trước từ điển chữ ký (signature dictionary)
pdf-contents-too-large = /Contents có { $size } byte; công cụ chỉ đọc tối đa { $limit } byte

## nội dung được bổ sung sau khi ký ($c1 đến $c7: các thay đổi, lấy từ các thông báo pdf-change-)

pdf-later-revision = chữ ký số chỉ bao phủ phiên bản { $revision } trong tổng số { $revisions } phiên bản của tệp; nội dung bổ sung sau khi ký: { $c1 }{ $c2 }{ $c3 }{ $c4 }{ $c5 }{ $c6 }{ $c7 }
pdf-modified = tệp đã bị sửa đổi sau khi ký theo cách mà chữ ký số này không cho phép: { $c1 }{ $c2 }{ $c3 }{ $c4 }{ $c5 }{ $c6 }{ $c7 }
pdf-change-nothing = không có gì làm thay đổi nội dung văn bản
pdf-change-signatures = các chữ ký số ký sau
pdf-change-signatures-more = , các chữ ký số ký sau
pdf-change-metadata = thông tin tài liệu và cấu trúc biểu mẫu
pdf-change-metadata-more = , thông tin tài liệu và cấu trúc biểu mẫu
pdf-change-form-fields = điền thông tin vào các trường biểu mẫu
pdf-change-form-fields-more = , điền thông tin vào các trường biểu mẫu
pdf-change-annotations = ghi chú, con dấu hoặc chú thích khác
pdf-change-annotations-more = , ghi chú, con dấu hoặc chú thích khác
pdf-change-pages = thêm hoặc bớt trang
pdf-change-pages-more = , thêm hoặc bớt trang
pdf-change-content = nội dung trang bị thay đổi
pdf-change-content-more = , nội dung trang bị thay đổi
pdf-change-other = các thay đổi khác đối với văn bản
pdf-change-other-more = , các thay đổi khác đối với văn bản

## dữ liệu CMS và giá trị chữ ký

pdf-cms-trailing = /Contents còn chứa dữ liệu khác sau dữ liệu CMS
pdf-cms-unreadable = không đọc được dữ liệu chữ ký số: { $detail }
pdf-cms-no-signer = dữ liệu CMS không có thông tin người ký
pdf-cms-signers = dữ liệu CMS có { $count } người ký; chỉ người ký đầu tiên được kiểm tra
pdf-cms-no-certificate = dữ liệu CMS không chứa chứng thư số của người ký
pdf-cert-unreadable = không đọc được chứng thư số của người ký
pdf-digest-unsupported = thuật toán băm { $oid } không được hỗ trợ
pdf-sha1-changed = tệp đã bị sửa đổi sau khi ký (giá trị băm SHA-1 của phần dữ liệu được ký không khớp với giá trị đã ký)
pdf-sha1-no-digest = chữ ký số định dạng adbe.pkcs7.sha1 không chứa giá trị băm đã ký
pdf-detached-content = chữ ký số dạng tách rời (detached) nhưng lại chứa nội dung
pdf-digest-changed = tệp đã bị sửa đổi sau khi ký (giá trị băm của phần dữ liệu được ký không khớp với giá trị đã ký)
pdf-no-message-digest = các thuộc tính được ký không có messageDigest
pdf-content-type = kiểu nội dung được ký không phải là data
pdf-signing-cert-unreadable = không đọc được thuộc tính signing-certificate đã ký
pdf-signing-cert-hash = thuộc tính signing-certificate dùng thuật toán băm không xác định
pdf-signing-cert-other = thuộc tính signing-certificate đã ký chỉ tới một chứng thư số khác với chứng thư số đi kèm chữ ký
pdf-bad-signature = giá trị chữ ký không xác thực được bằng chứng thư số của người ký (chữ ký bị giả mạo, hoặc các thuộc tính được ký đã bị sửa đổi)
pdf-unsupported-pss = không hỗ trợ RSASSA-PSS với các tham số này
pdf-unsupported-algorithm = thuật toán ký { $oid } không được hỗ trợ
pdf-unsupported-key-type = không hỗ trợ loại khóa này với { $hash }
pdf-unsupported-combination = không hỗ trợ { $key } với { $hash }
pdf-leaf-only = chữ ký số chỉ kèm chứng thư số của người ký; các chứng thư số trung gian được lấy từ cấu hình tin cậy
pdf-no-key-usage = chứng thư số của người ký không có phần mở rộng KeyUsage
pdf-key-usage = chứng thư số của người ký không dùng để ký (không có digitalSignature hay nonRepudiation)

## thời gian và tem thời gian ($problems: các vấn đề của tem thời gian, ngăn cách bởi "; ")

pdf-timestamp-weak = tem thời gian dùng SHA-1 (thuật toán yếu); thời gian trên tem vẫn được sử dụng nhưng cần lưu ý điểm này
pdf-timestamp-broken = tem thời gian không hợp lệ: { $problems }
pdf-timestamp-untrusted = tem thời gian không tin cậy ({ $problems }); dùng thời gian ký do người ký khai báo
pdf-time-local = thời gian ký được khai báo là giờ Việt Nam nhưng lại ghi là giờ UTC (muộn hơn tem thời gian 7 giờ); dùng thời gian trên tem thời gian
pdf-time-after = thời gian ký được khai báo muộn hơn tem thời gian { $minutes } phút; dùng thời gian trên tem thời gian
pdf-time-before = thời gian ký được khai báo sớm hơn tem thời gian { $minutes } phút; dùng thời gian trên tem thời gian
pdf-no-signing-time = chữ ký số không ghi thời gian ký; chứng thư số được kiểm tra tại thời điểm xác thực
pdf-doc-timestamp-changed = tệp đã bị sửa đổi sau khi gắn tem thời gian cho văn bản (giá trị băm trên tem không khớp với dữ liệu)
pdf-doc-timestamp-broken = tem thời gian của văn bản không hợp lệ: { $problems }
pdf-doc-timestamp-weak = thuật toán yếu: tem thời gian của văn bản dùng SHA-1, khóa RSA ngắn hoặc một liên kết chứng thư số dùng SHA-1
pdf-tsp-unreadable = không đọc được tem thời gian: { $detail }
pdf-tsp-no-tstinfo = tem thời gian không chứa TSTInfo
pdf-tsp-tstinfo-unreadable = không đọc được TSTInfo của tem thời gian
pdf-tsp-imprint-unsupported = thuật toán băm { $oid } của tem thời gian không được hỗ trợ
pdf-tsp-imprint-signature = giá trị băm trên tem thời gian không khớp với chữ ký số
pdf-tsp-imprint-bytes = giá trị băm trên tem thời gian không khớp với phần dữ liệu được ký
pdf-tsp-no-signer = tem thời gian không có thông tin người ký
pdf-tsp-no-certificate = tem thời gian không kèm chứng thư số của đơn vị cấp tem thời gian (TSA)
pdf-tsp-cert-unreadable = không đọc được chứng thư số của đơn vị cấp tem thời gian (TSA)
pdf-tsp-digest-unsupported = thuật toán băm của tem thời gian không được hỗ trợ
pdf-tsp-content-changed = nội dung tem thời gian không khớp với giá trị băm đã ký
pdf-tsp-bad-signature = chữ ký trên tem thời gian không xác thực được

## chuỗi chứng thực ($prefix: để trống với người ký, pdf-prefix-tsa… với đơn vị cấp tem thời gian)

pdf-chain-unreadable = { $prefix }không đọc được chứng thư số của người ký
pdf-chain-no-roots = { $prefix }chưa cấu hình chứng thư số gốc tin cậy nào, vì vậy không thể tin cậy người ký
pdf-chain-malformed = { $prefix }chứng thư số của người ký sai định dạng ({ $detail })
pdf-chain-expired = { $prefix }một chứng thư số trong chuỗi chứng thực đã hết hạn ({ $expired }) tại thời điểm ký { $at }
pdf-chain-not-yet-valid = { $prefix }một chứng thư số trong chuỗi chứng thực chưa có hiệu lực cho đến { $from } (thời điểm ký { $at })
pdf-chain-revoked = { $prefix }chứng thư số đã bị đơn vị cấp thu hồi (số sê-ri { $serial }, đơn vị cấp { $issuer })
pdf-chain-untrusted = { $prefix }chứng thư số không được cấp bởi một tổ chức chứng thực tin cậy (đơn vị cấp: { $issuer })
pdf-chain-bad-signature = { $prefix }một chứng thư số trong chuỗi chứng thực không được ký bởi đơn vị cấp ghi trên đó ({ $issuer })
pdf-chain-legacy = { $prefix }chuỗi chứng thực dùng thuật toán cũ (SHA-1 hoặc khóa RSA ngắn) mà cấu hình tin cậy này không chấp nhận
pdf-chain-ca = { $prefix }chứng thư số dùng để ký là chứng thư số của tổ chức chứng thực (CA)
pdf-chain-invalid = { $prefix }chuỗi chứng thực không hợp lệ ({ $detail })
pdf-crl-none-signer = không có danh sách thu hồi (CRL) nào đã cấu hình áp dụng cho chứng thư số của người ký; chưa kiểm tra được tình trạng thu hồi
pdf-crl-none-tsa = không có danh sách thu hồi (CRL) nào đã cấu hình áp dụng cho chứng thư số của đơn vị cấp tem thời gian; chưa kiểm tra được tình trạng thu hồi

## thuật toán yếu: các lý do (d: định dạng hoặc hàm băm, k: khóa, c: chuỗi chứng thực)

pdf-weak-format = định dạng adbe.pkcs7.sha1
pdf-weak-sha1 = hàm băm SHA-1
pdf-weak-d = thuật toán yếu: { $digest }
pdf-weak-dk = thuật toán yếu: { $digest }, khóa { $key }
pdf-weak-dc = thuật toán yếu: { $digest }, một liên kết trong chuỗi chứng thực dùng SHA-1 hoặc khóa ngắn
pdf-weak-dkc = thuật toán yếu: { $digest }, khóa { $key }, một liên kết trong chuỗi chứng thực dùng SHA-1 hoặc khóa ngắn
pdf-weak-k = thuật toán yếu: khóa { $key }
pdf-weak-kc = thuật toán yếu: khóa { $key }, một liên kết trong chuỗi chứng thực dùng SHA-1 hoặc khóa ngắn
pdf-weak-c = thuật toán yếu: một liên kết trong chuỗi chứng thực dùng SHA-1 hoặc khóa ngắn
pdf-weak-none = thuật toán yếu:{" "}
