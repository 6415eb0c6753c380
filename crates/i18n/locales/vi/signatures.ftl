# Signatures in XML documents and receipts (lienthong-dsig): problems and notes of a report.

## Phạm vi được ký.
sig-covers-whole = toàn bộ văn bản
sig-covers-element = phần tử <{ $name }> ({ $uri })

## Bản thân chữ ký số.
sig-unsigned = văn bản chưa được ký số
sig-legacy-form = chữ ký số theo dạng cũ của SDK quốc gia (phần tử Signature nằm ngoài không gian tên XML Signature): không thể kiểm tra
sig-multiple = có { $count } chữ ký số, trong khi văn bản chỉ được có đúng một chữ ký số
sig-misplaced = chữ ký số không nằm ở vị trí quy định cho loại văn bản này (phải là phần tử con của { $parent })
sig-duplicate-id = giá trị Id '{ $id }' được dùng cho nhiều hơn một phần tử
sig-no-signed-info = chữ ký số không có phần tử SignedInfo ở vị trí đầu tiên
sig-no-signature-value = chữ ký số không có phần tử SignatureValue ngay sau SignedInfo
sig-signed-info-start = SignedInfo phải bắt đầu bằng CanonicalizationMethod và SignatureMethod
sig-legacy-c14n = URI chuẩn hóa (C14N) theo dạng cũ, không đúng chuẩn '{ $uri }': không thể kiểm tra
sig-unsupported-c14n = phương pháp chuẩn hóa (C14N) '{ $uri }' không được hỗ trợ
sig-hmac = chữ ký HMAC bị từ chối: một khóa bí mật dùng chung không chứng minh được ai là người ký
sig-unsupported-method = thuật toán ký '{ $uri }' không được hỗ trợ
sig-signed-info-references = SignedInfo phải chứa một hoặc nhiều phần tử Reference và không chứa gì khác
sig-digest-mismatch-whole = văn bản đã bị sửa đổi sau khi ký (giá trị băm của toàn bộ văn bản không khớp)
sig-digest-mismatch-element = văn bản đã bị sửa đổi sau khi ký (giá trị băm của phần tử <{ $name }> ({ $uri }) không khớp)
sig-legacy-transform = URI phép biến đổi (transform) theo dạng cũ, không đúng chuẩn của SDK quốc gia: không thể kiểm tra
sig-partial-element = chữ ký số không bao trùm toàn bộ văn bản (chỉ bao trùm phần tử <{ $name }> ({ $uri })), nên nội dung đọc được có thể không phải là nội dung đã ký
sig-partial = chữ ký số không bao trùm toàn bộ văn bản (chỉ bao trùm: { $covers }), nên nội dung đọc được có thể không phải là nội dung đã ký
sig-no-certificate = chữ ký số không kèm chứng thư số X.509 nên không xác định được người ký
sig-bad-signature-value-base64 = SignatureValue không phải là dữ liệu base64 hợp lệ
sig-bad-value = giá trị chữ ký số không khớp với chứng thư số của người ký (phần được ký (SignedInfo) đã bị sửa đổi, hoặc đính kèm nhầm chứng thư số)
sig-weak = thuật toán yếu: { $algorithm } với { $digest } (SHA-1 không còn được coi là an toàn)
sig-cert-unreadable = không đọc được chứng thư số của người ký
sig-wrong-agency = người ký là { $who }, nhưng văn bản ghi cơ quan gửi là { $claimed }
sig-wrong-agency-pin = người ký là { $who }, nhưng văn bản ghi cơ quan gửi là { $claimed }; chứng thư số không ghi mã cơ quan nào: nếu chứng thư số này ký thay mặt { $code }, hãy ghim nó trong danh bạ (signers = ["{ $fingerprint }"])

## Tham chiếu và phép biến đổi.
sig-ref-no-uri = phần tử Reference không có URI bị từ chối (nó có thể trỏ tới nội dung nằm ngoài văn bản)
sig-ref-xpointer = tham chiếu XPointer '{ $uri }' bị từ chối
sig-ref-dangling = tham chiếu '{ $uri }' không trỏ tới phần tử nào của văn bản này
sig-ref-external = tham chiếu ra ngoài '{ $uri }' bị từ chối: chỉ được ký chính văn bản này
sig-transforms-other = Transforms chứa phần tử khác ngoài Transform
sig-transforms-two-c14n = có nhiều hơn một phép biến đổi chuẩn hóa (C14N)
sig-transform-xpath = phép biến đổi XPath bị từ chối
sig-transform-xpath2 = phép biến đổi XPath Filter 2.0 bị từ chối
sig-transform-xslt = phép biến đổi XSLT bị từ chối
sig-transform-base64 = phép biến đổi base64 bị từ chối
sig-transform-unsupported = phép biến đổi '{ $uri }' không được hỗ trợ
sig-ref-digest-parts = phần tử Reference phải chứa DigestMethod và DigestValue
sig-unsupported-digest = thuật toán băm '{ $uri }' không được hỗ trợ
sig-bad-digest-base64 = DigestValue không phải là dữ liệu base64 hợp lệ
sig-c14n-relative-namespace = không thể chuẩn hóa (C14N) vì URI không gian tên '{ $uri }' là URI tương đối
sig-c14n-not-an-element = nút cần chuẩn hóa không phải là một phần tử

## Khóa và chứng thư số.
sig-retrieval-method = RetrievalMethod bị từ chối: khóa phải nằm ngay trong chữ ký số
sig-bad-certificate-base64 = một phần tử X509Certificate không phải là dữ liệu base64 hợp lệ
sig-cert-ca-as-signer = chứng thư số dùng để ký là chứng thư số của CA, không phải của người ký
sig-cert-no-key-usage = chứng thư số của người ký không có phần mở rộng KeyUsage (bắt buộc phải có digitalSignature hoặc nonRepudiation)
sig-cert-key-usage = chứng thư số của người ký không dùng để ký (KeyUsage không có digitalSignature, cũng không có nonRepudiation)
sig-cert-no-roots = chưa có chứng thư số CA gốc tin cậy nào nên không thể tin cậy người ký (dùng --trust)
sig-cert-malformed = chứng thư số của người ký sai định dạng ({ $error })
sig-cert-expired = chứng thư số đã hết hạn ngày { $date } (kiểm tra vào ngày { $checked })
sig-cert-not-yet-valid = chứng thư số chưa có hiệu lực, chỉ có hiệu lực từ ngày { $date } (kiểm tra vào ngày { $checked })
sig-cert-revoked = chứng thư số đã bị tổ chức cấp thu hồi (số sê-ri { $serial }, tổ chức cấp { $issuer })
sig-cert-untrusted = chứng thư số không do tổ chức chứng thực tin cậy cấp (tổ chức cấp: { $issuer }); hãy thêm chứng thư số CA gốc của tổ chức đó bằng --trust
sig-cert-crl-expired = danh sách thu hồi (CRL) đã quá hạn (lẽ ra phải được cập nhật vào ngày { $date }); hãy lấy CRL mới
sig-cert-revocation-unknown = không xác định được tình trạng thu hồi của chứng thư số
sig-cert-bad-chain-signature = chứng thư số ghi là do { $issuer } cấp, nhưng không được tổ chức chứng thực tin cậy mang tên đó ký (chứng thư số giả mạo, hoặc do một tổ chức khác trùng tên cấp)
sig-cert-invalid = chuỗi chứng thực không hợp lệ ({ $error })
sig-note-no-crl = chưa kiểm tra tình trạng thu hồi: không có danh sách thu hồi (CRL) nào được cung cấp
sig-note-no-issuer-crl = không có danh sách thu hồi (CRL) của tổ chức cấp ({ $issuer }); chưa kiểm tra tình trạng thu hồi chứng thư số của người ký

## Biên nhận.
sig-receipt-wrong-gateway = biên nhận ghi cổng liên thông { $gateway } đã nhận gói tin, nhưng biên nhận được ký bằng chứng thư số của { $named }
sig-receipt-no-gateway = biên nhận ghi cổng liên thông { $gateway } đã nhận gói tin, nhưng biên nhận được ký bằng chứng thư số không thuộc cổng liên thông nào

## Kết luận của `lienthong verify` về một chữ ký số còn nguyên vẹn, khi chưa chỉ ra tổ chức chứng thực nào được tin cậy.
sig-verdict-untrusted = KHÔNG ĐƯỢC TIN CẬY: chữ ký số còn nguyên vẹn, nhưng chưa có chứng thư số CA gốc tin cậy nào được cung cấp (--trust)
sig-untrusted-hint = chưa có chứng thư số CA gốc tin cậy (--trust): để biết người ký có đáng tin cậy hay không, hãy cung cấp chứng thư số CA gốc của tổ chức đã cấp chứng thư số cho người ký, ví dụ --trust ca.pem
