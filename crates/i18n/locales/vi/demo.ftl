# `lienthong demo`: những gì người mới xem được khi cả một mạng liên thông chạy trên máy
# (loopback). Tiếng Việt. Mỗi thông báo phải dùng đúng các biến như trong en/demo.ftl.

## khởi động

demo-error-runtime = lỗi: không khởi động được bộ thực thi: { $error }
demo-failed-to-start = không khởi động được bản trình diễn: { $error }
demo-failed = bản trình diễn THẤT BẠI: { $error }
demo-unknown-agency = không có cơ quan { $code } trong danh bạ
demo-title = lienthong demo: mạng liên thông gồm { $n } cổng liên thông chạy ngay trên máy này (loopback)
demo-pki = hạ tầng chứng thư số dùng một lần (chỉ để thử nghiệm) tại { $dir }
demo-no-random = hệ thống không cung cấp được byte ngẫu nhiên để tạo khóa bí mật VXP
demo-vxp-not-started = điểm kết nối VXP không khởi động được
# Cấp của một cổng liên thông, trong danh sách các cổng.
demo-level-national = trung ương
demo-level-province = tỉnh
demo-level-district = huyện
demo-level-commune = xã

## các luồng văn bản

demo-no-id = câu trả lời không có mã gói tin
demo-refused = { $from }: cổng liên thông từ chối văn bản: { $body }
# Giữa những người ký một tệp PDF: "A rồi đến B".
demo-then = rồi đến
demo-pdf = PDF { $pdf }: ký số bởi { $signers }: { $verdict }
demo-pdf-bad = chữ ký số trong tệp PDF không hợp lệ: { $pdf }
demo-bytes-differ = { $to } nhận được nội dung khác với nội dung đã gửi
demo-ack-failed = xác nhận không thành công: { $body }
demo-not-delivered = gói tin { $id } không đến được { $to } trong vòng { $within }
demo-gateway-not-running = cổng liên thông không chạy
demo-no-path = không có đường đi giữa hai cổng liên thông
demo-bad-id = mã gói tin không hợp lệ
demo-hop-crossed = chặng { $here } -> { $next }: đã đi qua (mỗi liên kết chỉ chuyển một bản)
demo-no-receipt = { $here } không có biên nhận từ { $next }
demo-receipt-invalid = biên nhận từ { $next } không hợp lệ: { $why }
demo-hop = chặng { $hop }: { $here } -> { $next }, đã xác minh biên nhận do { $gateway } ký (SHA-256 { $sha256 }…)
demo-document-accepted = cổng liên thông đã nhận văn bản số { $number }/UBND của { $from }, mã gói tin { $id }
demo-delivered = đã đến { $to } sau { $ms } ms, nhận về đúng từng byte và đã xác nhận
demo-status-reached = trạng thái { $code } { $label } từ { $from } đã đến { $to } sau { $ms } ms
demo-step-1 = 1. Một cơ quan cấp xã gửi văn bản tới một sở của tỉnh khác
demo-step-2 = 2. Một văn bản gửi bốn nơi nhận (mỗi liên kết chỉ đi qua một lần)
demo-step-3 = 3. Nơi gửi thu hồi văn bản (13 -> 15)
demo-tracking-wrong = theo dõi gói tin { $id } cho thấy các trạng thái { $codes }
demo-tracking-ok = theo dõi văn bản số 101 tại cổng liên thông của xã cho thấy đủ 01 03 04 05 06
demo-step-4 = 4. Hệ thống quản lý văn bản dùng SDK của Trục liên thông quốc gia (API VXP tại http://{ $addr }, hệ thống { $system })
demo-vxp-send-refused = sendEdoc bị từ chối: { $body }
demo-vxp-sent = sendEdoc từ { $from }: trạng thái OK, DocId { $id }
demo-vxp-delivered = đã đến { $to } (API mTLS) sau { $ms } ms, đúng từng byte
demo-vxp-not-listed = trạng thái { $id } không xuất hiện qua VXP trong thời gian chờ
demo-vxp-other-bytes = getEdoc trả về nội dung khác với gói tin trạng thái đã gửi
demo-vxp-update-refused = updateStatus bị từ chối: { $body }
demo-vxp-status-taken = trạng thái 01 { $label } có trong getReceivedEdocList, đã lấy bằng getEdoc, updateStatus done

## tổng kết (mỗi nhãn tối đa 42 ký tự)

demo-summary = Tổng kết
demo-summary-documents = văn bản đã gửi
demo-summary-deliveries = lượt chuyển đến (văn bản và trạng thái)
demo-summary-hops = chặng đã đi qua giữa các cổng
demo-summary-receipts = biên nhận có chữ ký số đã xác minh
demo-summary-statuses = trạng thái xử lý đã phản hồi
demo-summary-pdf-signatures = chữ ký số trong PDF đã xác minh
demo-summary-p50 = độ trễ từ lúc gửi đến hộp thư đến, p50
demo-summary-p99 = độ trễ từ lúc gửi đến hộp thư đến, p99
demo-summary-end = mọi lượt chuyển đều đúng từng byte, mọi biên nhận đều đã xác minh, không mất hay trùng gói tin nào

## thử gì trong lúc mạng liên thông đang chạy

demo-explain-running = Mạng liên thông vẫn tiếp tục chạy (Ctrl-C để dừng). Thử API bằng curl:
demo-explain-long-poll = chờ dài (long poll): trả lời ngay khi có văn bản đến
demo-explain-signature = ai đã ký (phong bì edXML và từng tệp PDF bên trong), do cổng liên thông xác minh
demo-explain-queues = các hàng đợi và liên kết nào đang hoạt động, liên kết nào mất kết nối
demo-explain-messages = mọi gói tin gửi đi từ hoặc gửi tới một cơ quan
demo-explain-agencies = từng cơ quan: đã gửi, đã nhận, chưa xác nhận
demo-explain-cli = Và bằng lệnh lienthong (chứng thư số của người vận hành):
demo-explain-certs = mọi chứng thư số mà cổng phụ thuộc, cái sắp hết hạn trước
demo-explain-backup = sao lưu trực tuyến, ngay khi cổng đang chạy
demo-explain-console = Trang web cho người vận hành: { $url } (nhập { $cert } và tệp .key vào trình duyệt dưới dạng PKCS#12)
demo-explain-vxp = API VXP (cho hệ thống quản lý văn bản dùng SDK của Trục liên thông quốc gia): http://{ $addr }, hệ thống { $system }, khóa bí mật lưu tại { $secret }
demo-explain-dir = Cấu hình và dữ liệu: { $dir }

## Trợ giúp

demo-help-once = Chạy các luồng văn bản một lần rồi thoát: mã thoát 0 khi tất cả đều hoàn thành, nếu không thì mã thoát 1 kèm lý do
demo-help-dir = Giữ hạ tầng khóa công khai (PKI), cấu hình và dữ liệu được tạo ra trong thư mục này (mặc định: một thư mục tạm)
