"""What the seed article says (shared/seed/000_c7236aa0111db4a9.txt), as the record must
print it: every name, post, bridge point, award and announced time, spelled as the article
spells them. Kept apart from the meeting builders so that a test checks the record against
the article, not against the data it was built from."""

from __future__ import annotations

NAMES = [
    "Chẩu Văn Lâm", "Lê Thị Kim Dung", "Nguyễn Văn Sơn", "Nguyễn Hồng Trang", "Vân Đình Thảo",
    "Nguyễn Việt Lâm", "Hoàng Anh Cương", "Nguyễn Văn Việt", "Nguyễn Mạnh Tuấn",
    "Giang Tuấn Anh", "Phạm Mạnh Duyệt", "Âu Thế Thái", "Nguyễn Hưng Vượng", "Trần Hoài Quang",
    "Âu Thị Mai", "Phùng Tiến Quân",
]

POSTS = [
    "ủy viên BCH Trung ương Đảng", "Ủy viên BCH Trung ương Đảng", "Bí thư Tỉnh ủy",
    "Trưởng Đoàn ĐBQH tỉnh Tuyên Quang",
    "Phó Bí thư Thường trực Tỉnh ủy", "Chủ tịch HĐND tỉnh", "Phó Bí thư Tỉnh ủy",
    "Chủ tịch UBND tỉnh", "Ủy viên BTV Tỉnh ủy", "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy",
    "Giám đốc Sở Kế hoạch và Đầu tư", "Tỉnh ủy viên", "Giám đốc Sở Giao thông vận tải",
    "Giám đốc Sở Công Thương", "Giám đốc Sở Nông nghiệp và Phát triển nông thôn",
    "Phó Chủ tịch UBND tỉnh", "Phó Bí thư Huyện ủy", "Chủ tịch UBND huyện Sơn Dương",
    "Giám đốc Sở Tài nguyên và Môi trường", "Phó Trưởng ban Thường trực Ban Tổ chức Tỉnh ủy",
    "Ủy viên Ban Thường vụ Tỉnh ủy", "Trưởng Ban Dân vận Tỉnh ủy", "Chủ tịch Ủy ban MTTQ tỉnh",
    "Giám đốc Sở Văn hóa, Thể thao và Du lịch", "Trưởng Ban Nội chính Tỉnh ủy",
    "Trưởng Ban pháp chế HĐND tỉnh", "nguyên Khu ủy viên Khu tự trị Việt Bắc",
    "nguyên Bí thư Tỉnh ủy Tuyên Quang", "nguyên Bí thư Tỉnh ủy Hà Giang",
    "Trưởng Đoàn đại biểu Quốc hội tỉnh", "Trưởng Ban Tổ chức Tỉnh ủy",
]

ENDPOINTS = [
    "Tỉnh ủy", "UBND tỉnh", "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh",
    "thành phố Tuyên Quang", "Chiêm Hóa", "Lâm Bình", "Hàm Yên", "Yên Sơn", "Sơn Dương",
    "Na Hang",
]

AWARDS = [
    "Huân chương Hồ Chí Minh", "Huân chương Lao động hạng Ba",
    "Bằng khen của Thủ tướng Chính phủ", "Kỷ niệm chương “Vì sự phát triển phụ nữ Việt Nam”",
]
COLLECTIVE = "Sở Văn hóa, Thể thao và Du lịch"
POSTHUMOUS = "Truy tặng: Trần Hoài Quang"

# the article's "8h00: Khai mạc hội nghị" … "11h00: Bế mạc hội nghị", as a record writes them
TIMES = ["8 giờ 00", "8 giờ 15", "8 giờ 35", "8 giờ 50", "9 giờ 00", "10 giờ 35", "11 giờ 00"]

ITEMS = [
    "Khai mạc hội nghị",
    "Báo cáo công tác lãnh đạo thực hiện nhiệm vụ phát triển kinh tế - xã hội, quốc phòng, an "
    "ninh, xây dựng Đảng năm 2021; phương hướng, nhiệm vụ năm 2022",
    "Báo cáo công tác kiểm tra, giám sát năm 2021; phương hướng, nhiệm vụ năm 2022",
    "Dự thảo Kế hoạch của BCH Đảng bộ tỉnh thực hiện Kết luận số 21 của BCH Trung ương khóa XIII",
    "Thảo luận", "Công tác thi đua khen thưởng", "Bế mạc hội nghị",
]

DATE = "Tuyên Quang, ngày 14 tháng 01 năm 2022"
