# Cấu hình cổng liên thông (lienthong-gateway, `serve --config`, `serve --check`): các lỗi và
# cảnh báo của cấu hình, và lỗi khi khởi động. Tên khóa, đơn vị và tên kỹ thuật giữ nguyên
# như khi viết; giá trị bắt đầu bằng một khóa như `[limits]` hay `identity[0]` thì lấy khóa
# đó từ một biến.

## Lỗi nói chung, và lỗi của chính tệp cấu hình.
config-error = cấu hình { $file }: { $problems }
config-cannot-read = không đọc được tệp: { $error }
config-toml = nội dung TOML không hợp lệ: { $detail }
config-detail = { $detail }
config-key-error = { $key }: { $error }
config-bad-value = { $key } '{ $value }': giá trị không hợp lệ ({ $error })
config-file-missing = { $key }: tệp { $path } không tồn tại

## Tệp, thư mục và tin cậy.
config-store-data-dir = gateway.data_dir: kho lưu trữ nhúng (store.engine = "sled", mặc định) cần thư mục dữ liệu; hoặc đặt store.engine = "postgres"
config-store-sled-extra = store: url, password_file và tls chỉ dùng cho store.engine = "postgres"; kho nhúng (sled) dùng gateway.data_dir
config-store-url-missing = store.url: store.engine = "postgres" cần cơ sở dữ liệu, postgres://NGƯỜI_DÙNG@MÁY:CỔNG/CSDL
config-store-range = { $key } = { $value }: từ { $min } đến { $max }
config-backup-inside-data = backup.dir { $path }: nằm trong gateway.data_dir; bản sao lưu phải để ở nơi khác (trên ổ đĩa khác nếu có thể)
config-client-ca-none = tls.client_ca: cần ít nhất một CA (mọi kết nối đều dùng TLS hai chiều)
config-document-roots-none = trust.document_roots: chính sách 'require' cần ít nhất một chứng thư số gốc

## [limits], [forward], [retry].
config-limits-zero = limits: các kích thước và số lượng phải lớn hơn 0
config-limits-buffered = limits.max_buffered_body_bytes ({ $buffered }) phải ít nhất bằng limits.max_body_bytes ({ $body }): phải chứa được thân yêu cầu (body) lớn nhất
config-limits-buffered-per-identity = limits.max_buffered_body_bytes_per_identity ({ $buffered }) phải ít nhất bằng limits.max_body_bytes ({ $body }): phải chứa được thân yêu cầu (body) lớn nhất của một máy khách
config-limits-head = limits: max_uri_bytes (từ 1 đến { $uri }), max_header_bytes (từ 1 đến { $header_bytes }) và max_headers (từ 1 đến { $headers }): giới hạn riêng của tầng HTTP cao hơn các mức này và khi bị vượt sẽ trả lời không kèm lỗi JSON
config-min-rate-zero = limits.min_bytes_per_second và forward.min_bytes_per_second phải lớn hơn 0
config-peer-rate-zero = limits.per_peer_rate và per_peer_burst phải lớn hơn 0
config-connection-limits-zero = limits: các giới hạn kết nối và thời hạn chờ phải lớn hơn 0
config-limits-anonymous = limits.max_anonymous_connections ({ $anonymous }) phải nhỏ hơn limits.max_connections ({ $connections }): máy khách không có chứng thư số không bao giờ được chiếm hết số kết nối
config-forward-probe = forward: probe_min_ms phải ít nhất là 100, và probe_max_ms phải ít nhất bằng probe_min_ms
config-forward-lease = forward: concurrency_per_peer phải lớn hơn 0 và lease_ms phải ít nhất là 1000
config-retry = retry: base_ms và max_attempts phải lớn hơn 0, factor phải ít nhất là 1

## Cổng kết nối, định danh và định tuyến.
config-url-https = { $key } '{ $url }': cần một URL https:// có tên máy chủ (host)
config-identity-one = { $key }: phải có đúng một trong các khóa agency, gateway, operator, monitor
config-identity-fingerprint = { $key }: cần 64 chữ số thập lục phân (SHA-256 của chứng thư số)
config-directory-unreadable = directory: không đọc được tệp { $path }: { $error }
config-directory-without-self = directory { $path }: cổng liên thông này ({ $id }) không có trong danh bạ
config-directory-invalid = directory { $path }: danh bạ không hợp lệ: { $error }
config-local-view = không lập được định tuyến từ [parent]/[[child]]/[[agency]]: { $error }
config-gateway-id-empty = mã cổng liên thông để trống
config-gateway-id-too-long = mã cổng liên thông '{ $id }' dài quá 63 ký tự
config-gateway-id-bad-char = mã cổng liên thông '{ $id }' có ký tự '{ $character }' (chỉ cho phép a-z, 0-9 và '-')

## Cảnh báo: hợp lệ, nhưng có lẽ không đúng ý định.
config-warn-child-without-agencies = cổng cấp dưới '{ $child }' không liệt kê cơ quan nào và không có tệp danh bạ: sẽ không có văn bản nào được định tuyến tới cổng này, và văn bản cổng cấp trên chuyển tiếp cho các cơ quan của cổng này sẽ bị từ chối; hãy liệt kê các cơ quan trong `agencies = [...]` hoặc đặt `directory`
config-warn-agencies-ignored = { $count } mục [[agency]] ({ $pins } chứng thư số người ký được ghim) bị bỏ qua vì đã đặt `directory`: hệ thống dùng các cơ quan trong tệp danh bạ cùng `signers` của chúng; hãy chuyển các mục này sang tệp danh bạ

## [calendar] và [compliance].
config-calendar-order = calendar: giờ kết thúc ngày làm việc ({ $end }) phải sau giờ bắt đầu ({ $start })
config-calendar-not-date = calendar: '{ $given }' không phải là ngày hợp lệ (YYYY-MM-DD)
config-calendar-not-time = calendar: '{ $given }' không phải là giờ hợp lệ (HH:MM, từ 00:00 đến 24:00)
config-compliance-target = compliance: { $key } = { $value }: phải là một tỷ lệ lớn hơn 0 và nhiều nhất là 1
config-compliance-weights = compliance: signed_weight = { $signed }, same_day_weight = { $same_day }: trọng số phải từ 0 trở lên và không được cùng bằng 0
config-subtree-budget = compliance.subtree_budget_ms = { $value }: phải từ 1000 đến 120000 (mili giây)

## [vxp] và [uplink.vxp].
config-secret-unreadable = không đọc được tệp { $path }: { $error }
config-secret-short = { $path }: chuỗi bí mật (secret) phải dài ít nhất { $min } byte
config-vxp-plain-http = vxp.listen { $addr }: HTTP không mã hóa chỉ được dùng trên địa chỉ loopback; hãy đặt tls = true, hoặc allow_plain_http = true nếu đây là phân đoạn mạng tin cậy
config-vxp-no-system = vxp: cần ít nhất một mục [[vxp.system]]
config-vxp-system-id = { $key } '{ $id }': phải gồm từ 1 đến 128 ký tự ASCII nhìn thấy được
config-vxp-no-agency = { $key }: cần ít nhất một cơ quan
config-vxp-agency-elsewhere = { $key }: cơ quan { $agency } thuộc cổng { $home }, không thuộc cổng này; hệ thống của cơ quan đó phải kết nối tới cổng { $home }
config-vxp-agency-unknown = { $key }: cơ quan { $agency } không có trong danh bạ
config-vxp-agency-taken = { $key }: cơ quan { $agency } đã thuộc hệ thống '{ $system }'; mỗi cơ quan chỉ do một hệ thống nhận văn bản
config-vxp-system-twice = { $key } '{ $id }' xuất hiện hai lần
config-uplink-https-without-ca = uplink.vxp.ca: điểm cuối https cần khai báo CA đã cấp chứng thư số cho máy chủ đó
config-uplink-endpoint = uplink.vxp.endpoint '{ $endpoint }': cần một URL http:// hoặc https:// có tên máy chủ (host)
config-uplink-id-taken = uplink.vxp.id '{ $id }': đã có một cổng liên thông trong danh bạ mang mã này; kết nối lên trục (uplink) cần mã riêng
config-uplink-system = uplink.vxp.system: cần systemid, gồm các ký tự ASCII nhìn thấy được
config-uplink-poll = uplink.vxp.poll_interval_ms: ít nhất là 100 (mili giây)

## Khởi động: nguyên nhân do thư viện khóa, chứng thư số và kho lưu trữ ghi, giữ nguyên như vậy.
config-start-tls = TLS: { $detail }
config-start-keys = khóa và chứng thư số: { $detail }
config-start-store = kho lưu trữ: { $detail }
config-start-config = cấu hình: { $detail }
config-start-bind = không lắng nghe được trên địa chỉ { $addr }: { $error }
