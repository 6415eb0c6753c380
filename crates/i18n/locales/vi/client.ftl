# Cách một lệnh máy khách kết nối tới cổng liên thông (crates/cli/src/remote/connection.rs
# và profile.rs): các tùy chọn kết nối, hồ sơ kết nối, và lời khuyên khi không nhận được trả
# lời. Tiếng Việt. Giữ các biến của mỗi thông điệp giống hệt en/client.ftl.

## các tùy chọn kết nối

client-help-gateway = URL của cổng liên thông, ví dụ https://127.0.0.1:8441 (hoặc LIENTHONG_GATEWAY, hoặc một hồ sơ kết nối)
client-help-cert = Chứng thư số máy khách (PEM): chứng thư số của hệ thống quản lý văn bản của cơ quan, hoặc của người vận hành đối với lệnh `queue` (hoặc LIENTHONG_CERT)
client-help-key = Khóa bí mật của máy khách (PKCS#8 PEM) (hoặc LIENTHONG_KEY)
client-help-ca = Chứng thư số CA mà chứng thư số của cổng liên thông dẫn tới (PEM), có thể dùng nhiều lần (hoặc LIENTHONG_CA: một tệp)
client-help-profile = Hồ sơ kết nối trong ~/.config/lienthong/profile.toml (hoặc LIENTHONG_PROFILE; nếu không có thì dùng hồ sơ mặc định của tệp). --gateway, --ca, --cert, --key và các biến LIENTHONG_* được ưu tiên hơn hồ sơ
client-missing = kết nối tới cổng liên thông nào, với tư cách ai? Còn thiếu: { $what }. Hãy ghi chúng trên dòng lệnh, đặt các biến môi trường, hoặc lưu một lần thành hồ sơ kết nối: lienthong profile add TÊN --gateway URL --ca TỆP --cert TỆP --key TỆP

## hồ sơ kết nối

client-help-profile-add = Lưu một hồ sơ kết nối (cổng liên thông, CA, chứng thư số, khóa) dưới một tên
client-help-profile-list = Liệt kê các hồ sơ kết nối đã lưu
client-help-profile-remove = Xóa một hồ sơ kết nối
client-help-profile-name = Tên hồ sơ (chữ cái không dấu, chữ số, -, _ và .)
client-help-profile-default = Đặt làm hồ sơ mặc định (dùng khi không có --profile; hồ sơ đầu tiên luôn là mặc định)
client-profile-header = # Hồ sơ kết nối của lienthong, do `lienthong profile add` ghi (được dùng đường dẫn tương đối so với thư mục của tệp này)
client-profile-added = đã lưu hồ sơ { $name } vào { $file }; dùng bằng --profile { $name }
client-profile-added-default = đã lưu hồ sơ { $name } vào { $file }, làm hồ sơ mặc định: các lệnh máy khách dùng hồ sơ này khi không có --profile
client-profile-removed = đã xóa hồ sơ { $name } khỏi { $file }
client-profile-none = chưa có hồ sơ kết nối nào ({ $file }): lienthong profile add TÊN --gateway URL --ca TỆP --cert TỆP --key TỆP
client-profile-file = các hồ sơ kết nối trong { $file }:
client-profile-default-mark = * hồ sơ mặc định
client-profile-col-name = HỒ SƠ
client-profile-col-gateway = CỔNG LIÊN THÔNG
client-profile-col-cert = CHỨNG THƯ SỐ
client-profile-unknown = không có hồ sơ { $name } trong { $file } (các hồ sơ có: { $names })
client-profile-no-file = --profile { $name }: chưa có tệp hồ sơ kết nối { $file }; hãy tạo bằng lienthong profile add { $name } --gateway URL --ca TỆP --cert TỆP --key TỆP
client-profile-unreadable = không đọc được các hồ sơ kết nối trong { $file }: { $error }
client-profile-too-big = tệp lớn hơn 1 MiB
client-profile-bad-name = { $name } không dùng được làm tên hồ sơ: chỉ dùng chữ cái không dấu, chữ số, -, _ và . (tối đa 64 ký tự)
client-profile-no-home = chưa đặt XDG_CONFIG_HOME lẫn HOME nên không có chỗ lưu hồ sơ kết nối

## không nhận được trả lời: cần làm gì

client-refused = không có dịch vụ nào đang nghe ở { $address }: cổng liên thông chưa chạy, hoặc đang nghe ở cổng khác. Hãy kiểm tra số cổng trong --gateway và xem cổng liên thông đã chạy chưa (deploy/federation.sh status; systemctl status lienthong)
client-unresolved = không tìm thấy tên máy của { $url }: hãy kiểm tra chính tả, hoặc dùng địa chỉ IP của cổng liên thông
client-server-untrusted = cổng liên thông { $url } đưa ra chứng thư số không do CA trong --ca ({ $ca }) ký. Hãy đưa vào --ca chứng thư số của CA đã cấp chứng thư số cho cổng liên thông (với liên thông thử nghiệm: certs-dev/ca.pem)
client-name-mismatch = chứng thư số của cổng liên thông không cấp cho { $host }, là tên trong { $url }: hãy kết nối bằng tên hoặc địa chỉ có trong chứng thư số đó (các cổng thử nghiệm: 127.0.0.1 hoặc localhost)
client-server-expired = chứng thư số của cổng liên thông { $url } đã hết hạn hoặc chưa có hiệu lực: người vận hành cổng phải gia hạn (hoặc đồng hồ của máy này bị sai)
client-cert-refused = cổng liên thông { $url } từ chối chứng thư số máy khách { $cert } của bạn: { $why ->
    [unknown-ca] chứng thư số không do CA mà cổng tin cậy cấp
    [expired] chứng thư số đã hết hạn hoặc chưa có hiệu lực
    [revoked] chứng thư số đã bị thu hồi
    [missing] cổng cần chứng thư số máy khách nhưng không có chứng thư số nào được gửi
   *[other] cổng không chấp nhận chứng thư số này
}. Hãy dùng chứng thư số mà người vận hành cổng đã cấp cho hệ thống quản lý văn bản của cơ quan (hoặc cho bạn với vai trò người vận hành), còn hiệu lực và chưa bị thu hồi
client-closed = cổng liên thông { $url } đóng kết nối mà không trả lời. Thường là do cổng từ chối chứng thư số máy khách { $cert } của bạn: không do CA mà cổng tin cậy cấp, đã hết hạn, đã bị thu hồi, hoặc không phải chứng thư số của hệ thống quản lý văn bản hay của người vận hành. Nhật ký của cổng cho biết lý do (tìm "handshake")
