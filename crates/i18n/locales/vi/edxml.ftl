# edXML reading (lienthong-edxml): errors and warnings.

## Bộ đọc XML chặt chẽ (lienthong-xml): lỗi của một tệp không phải XML hợp lệ.
xml-position = dòng { $line }, cột { $column }
xml-error-at = { $what } (dòng { $line }, cột { $column })
xml-doctype = không cho phép khai báo DOCTYPE (DTD, thực thể bên ngoài và việc mở rộng thực thể đều bị từ chối)
xml-undeclared-prefix = tiền tố không gian tên (namespace prefix) '{ $prefix }' chưa được khai báo
xml-multiple-roots = có nhiều hơn một phần tử gốc (phần tử gốc thứ hai là <{ $name }>)
xml-no-root = không có phần tử gốc
xml-mismatched-tag = thẻ đóng không khớp: cần </{ $expected }> nhưng gặp </{ $found }>
xml-unmatched-end-tag = thẻ đóng </{ $name }> không có thẻ mở tương ứng
xml-truncated-element = dữ liệu kết thúc đột ngột: phần tử <{ $name }> chưa được đóng
xml-truncated-tag = dữ liệu kết thúc đột ngột: thẻ chưa được đóng (không tìm thấy `>` trước khi hết dữ liệu)
xml-truncated-comment = dữ liệu kết thúc đột ngột: chú thích (comment) chưa được đóng (không tìm thấy `-->` trước khi hết dữ liệu)
xml-truncated-cdata = dữ liệu kết thúc đột ngột: khối CDATA chưa được đóng (không tìm thấy `]]>` trước khi hết dữ liệu)
xml-truncated-pi = dữ liệu kết thúc đột ngột: chỉ thị xử lý (processing instruction) chưa được đóng (không tìm thấy `?>` trước khi hết dữ liệu)
xml-truncated-declaration = dữ liệu kết thúc đột ngột: khai báo XML chưa được đóng (không tìm thấy `?>` trước khi hết dữ liệu)
xml-truncated-attribute-double = dữ liệu kết thúc đột ngột: giá trị thuộc tính chưa được đóng (không tìm thấy `"` trước khi hết dữ liệu)
xml-truncated-attribute-single = dữ liệu kết thúc đột ngột: giá trị thuộc tính chưa được đóng (không tìm thấy `'` trước khi hết dữ liệu)
xml-truncated = dữ liệu kết thúc đột ngột: { $detail }
xml-invalid-utf8 = dữ liệu không phải là UTF-8 hợp lệ
xml-unsupported-encoding-utf16-no-bom = không hỗ trợ bảng mã 'UTF-16 (không có BOM)': chỉ chấp nhận UTF-8
xml-unsupported-encoding = không hỗ trợ bảng mã '{ $encoding }': chỉ chấp nhận UTF-8
xml-duplicate-attribute = thuộc tính '{ $name }' bị lặp lại
xml-text-outside-root = có nội dung văn bản nằm ngoài phần tử gốc
xml-limit-total-size = vượt quá giới hạn kích thước tài liệu (giới hạn { $limit } byte)
xml-limit-depth = vượt quá giới hạn độ sâu lồng nhau của phần tử (giới hạn { $limit })
xml-limit-attributes = vượt quá giới hạn số thuộc tính của một phần tử (giới hạn { $limit })
xml-limit-name-length = vượt quá giới hạn độ dài tên (giới hạn { $limit } byte)
xml-limit-text-size = vượt quá giới hạn kích thước một nút văn bản (giới hạn { $limit } byte)
xml-limit-nodes = vượt quá giới hạn số nút của tài liệu (giới hạn { $limit })
xml-limit-attribute-value-size = vượt quá giới hạn độ dài giá trị thuộc tính (giới hạn { $limit } byte)
xml-invalid-name = tên '{ $name }' không hợp lệ
xml-invalid-char = ký tự U+{ $code } không được phép dùng trong XML
xml-unknown-entity = tham chiếu thực thể không xác định '&{ $name };' (chỉ cho phép &lt; &gt; &amp; &quot; &apos; và tham chiếu ký tự)
xml-invalid-char-ref = tham chiếu ký tự '&{ $name };' không hợp lệ
xml-lt-in-attribute = không được dùng ký tự '<' trong giá trị thuộc tính
xml-namespace-element-xmlns = khai báo không gian tên không hợp lệ: phần tử không được dùng tiền tố 'xmlns'
xml-namespace-declare-xmlns = khai báo không gian tên không hợp lệ: không được khai báo tiền tố 'xmlns'
xml-namespace-xml-prefix = khai báo không gian tên không hợp lệ: tiền tố 'xml' chỉ được gắn với không gian tên riêng của nó
xml-namespace-undeclare = khai báo không gian tên không hợp lệ: trong XML 1.0 không thể hủy khai báo một tiền tố bằng URI rỗng
xml-namespace-xml-uri = khai báo không gian tên không hợp lệ: không gian tên XML chỉ được gắn với tiền tố 'xml'
xml-namespace-xmlns-uri = khai báo không gian tên không hợp lệ: không được khai báo không gian tên xmlns
xml-namespace = khai báo không gian tên không hợp lệ: { $detail }
xml-misplaced-declaration = khai báo XML chỉ được đặt ở đầu tài liệu
xml-syntax-version = lỗi cú pháp: không hỗ trợ phiên bản XML '{ $version }'
xml-syntax-version-not-first = lỗi cú pháp: khai báo XML phải bắt đầu bằng thuộc tính `version`, nhưng lại bắt đầu bằng `{ $attribute }`
xml-syntax-cdata-end = lỗi cú pháp: không được dùng ']]>' trong nội dung văn bản
xml-syntax-amp-in-attribute = lỗi cú pháp: ký tự '&' trong giá trị thuộc tính không mở đầu một tham chiếu
xml-syntax-markup = lỗi cú pháp: ký hiệu không xác định hoặc bị thiếu trong thẻ đánh dấu
xml-syntax-no-version = lỗi cú pháp: khai báo XML không có thuộc tính `version`
xml-syntax-unknown-version = lỗi cú pháp: phiên bản XML không xác định (chỉ chấp nhận 1.0 hoặc 1.1)
xml-syntax-double-hyphen = lỗi cú pháp: chú thích (comment) chứa chuỗi `--` không được phép
xml-syntax-unclosed-reference = lỗi cú pháp: tham chiếu thực thể hoặc tham chiếu ký tự chưa được đóng (không tìm thấy `;` trước khi hết dữ liệu)
xml-syntax-attribute-expected-eq = lỗi cú pháp: vị trí { $position }: ngay sau tên thuộc tính phải là `=` hoặc dấu cách
xml-syntax-attribute-expected-value = lỗi cú pháp: vị trí { $position }: sau `=` phải có giá trị thuộc tính
xml-syntax-attribute-unquoted = lỗi cú pháp: vị trí { $position }: giá trị thuộc tính phải được đặt trong `"` hoặc `'`
xml-syntax-attribute-expected-quote = lỗi cú pháp: vị trí { $position }: thiếu dấu nháy đóng `{ $quote }` trong giá trị thuộc tính
xml-syntax = lỗi cú pháp: { $detail }

## Vì sao một tệp không đọc được dưới dạng edXML.
edxml-not-xml = không đọc được dưới dạng XML: { $what } (dòng { $line }, cột { $column })
edxml-not-edxml-namespace = không phải tệp edXML: phần tử gốc { $found } thuộc sai không gian tên (cần { $namespace }) (dòng { $line }, cột { $column })
edxml-not-edxml-root = không phải tệp edXML: phần tử gốc là { $found }, cần { $expected } (dòng { $line }, cột { $column })
edxml-ambiguous = phần tử { $what } xuất hiện nhiều lần trong { $parent } (dòng { $line }, cột { $column }: phần tử thứ hai)
edxml-missing = thiếu phần tử { $what } trong { $parent } (dòng { $line }, cột { $column })

## Mã định danh cơ quan.
edxml-agency-empty = mã định danh cơ quan để trống
edxml-agency-too-long = mã định danh cơ quan '{ $code }' dài quá 35 ký tự
edxml-agency-bad-char = mã định danh cơ quan '{ $code }' có ký tự '{ $character }' (chỉ cho phép 0-9, A-Z và '.')

## Tệp đính kèm: phần dữ liệu không đọc được (chi tiết do thư viện đưa ra vẫn bằng tiếng Anh).
edxml-base64-invalid = nội dung base64 không hợp lệ: { $detail }
edxml-zip-damaged = tệp nén ZIP bị hỏng: { $detail }
edxml-zip-too-many-entries = tệp nén ZIP bị hỏng: có { $count } mục bên trong (nhiều hơn { $max })
edxml-zip-entry-damaged = tệp nén ZIP bị hỏng: mục { $index }: { $detail }
edxml-pdf-too-big = tệp có { $size } byte, lớn hơn mức { $max } byte được phép đọc
edxml-pdf-entry-unreadable = không đọc được mục này trong tệp nén: { $detail }
edxml-pdf-over-limit = lớn hơn mức { $max } byte được phép đọc
edxml-attachment-problem = { $problem }

## Cảnh báo: điểm bất thường trong một tệp vẫn đọc được.
edxml-multiple-signatures = tìm thấy { $count } phần tử Signature (chữ ký số)
edxml-signature-misplaced = chữ ký số (Signature) không nằm trong edXMLHeader, nơi edXML quy định đặt chữ ký
edxml-legacy-signature = chữ ký số (Signature) không thuộc không gian tên XML Signature (dạng cũ của SDK); không thể kiểm tra chữ ký này
edxml-no-recipients = văn bản không có nơi nhận (không có To)
edxml-duplicate-recipient = nơi nhận { $recipient } xuất hiện nhiều lần trong To
edxml-recipient-skipped-missing = thiếu phần tử { $what } trong { $parent } (dòng { $line }, cột { $column }); đã bỏ qua nơi nhận (To) này
edxml-recipient-skipped-ambiguous = phần tử { $what } xuất hiện nhiều lần trong { $parent } (dòng { $line }, cột { $column }: phần tử thứ hai); đã bỏ qua nơi nhận (To) này
edxml-recipient-skipped = { $problem }; đã bỏ qua nơi nhận (To) này
edxml-no-subject = văn bản không có trích yếu (Subject)
edxml-no-content-id = (không có ContentId)
edxml-manifest-without-attachment = mục { $content_id } trong danh mục tệp (manifest) không có tệp đính kèm tương ứng
edxml-attachment-not-in-manifest = tệp đính kèm { $content_id } không có trong danh mục tệp (manifest)
edxml-attachment-unnamed = (không có tên)
edxml-attachment-base64-invalid = tệp đính kèm { $name }: nội dung base64 không hợp lệ: { $detail }
edxml-attachment-zip-damaged = tệp đính kèm { $name }: tệp nén ZIP bị hỏng: { $detail }
edxml-attachment-zip-too-many-entries = tệp đính kèm { $name }: tệp nén ZIP bị hỏng: có { $count } mục bên trong (nhiều hơn { $max })
edxml-attachment-zip-entry-damaged = tệp đính kèm { $name }: tệp nén ZIP bị hỏng: mục { $index }: { $detail }
edxml-attachment-unreadable = tệp đính kèm { $name }: { $problem }
edxml-unknown-element = phần tử không xác định { $element } trong { $parent } được giữ lại nhưng không được xử lý
edxml-unexpected-children = phần tử { $element } chỉ được chứa văn bản; các phần tử con của nó đã bị bỏ qua
edxml-repeated-element = phần tử { $element } xuất hiện nhiều lần; chỉ dùng phần tử đầu tiên
edxml-bad-number = { $element } có giá trị '{ $value }', không phải là số; đã bỏ qua
edxml-bad-boolean = { $element } có giá trị '{ $value }', không phải true hoặc false; đã bỏ qua
edxml-bad-date = { $element } có giá trị '{ $value }', không phải là ngày (yyyy/MM/dd hoặc dd/MM/yyyy); đã bỏ qua
edxml-bad-timestamp = { $element } có giá trị '{ $value }', không phải là ngày giờ (yyyy/MM/dd HH:mm:ss); đã bỏ qua
edxml-agency-empty-kept = mã định danh cơ quan để trống; vẫn giữ nguyên như đã ghi
edxml-agency-too-long-kept = mã định danh cơ quan '{ $code }' dài quá 35 ký tự; vẫn giữ nguyên như đã ghi
edxml-agency-bad-char-kept = mã định danh cơ quan '{ $code }' có ký tự '{ $character }' (chỉ cho phép 0-9, A-Z và '.'); vẫn giữ nguyên như đã ghi
edxml-unknown-priority = độ khẩn (Priority) '{ $value }' không thuộc các giá trị 0–4
edxml-business-spelling = phần tử 'Business' được đọc như 'Bussiness' (cách viết trong tiêu chuẩn)
edxml-unknown-business-type = loại nghiệp vụ (BussinessDocType) '{ $value }' không thuộc các giá trị 0–3
edxml-unknown-status-code = mã trạng thái (StatusCode) '{ $value }' không phải là mã đã biết (01–06, 13, 15, 16)
edxml-no-response-for = gói tin trạng thái không có ResponseFor: không xác định được nơi chuyển đến
edxml-no-document-id = ResponseFor không có DocumentId
