"""Words of the challenge loop between province and operator (:mod:`geo.challenges`).

The Vietnamese terms follow the glossary's "Phản ánh sai lệch → giải trình → kết luận": a
planner or district viewer *phản ánh sai lệch tình trạng phủ sóng* (challenges a village's
coverage status: the tool shows it covered and it is not, or the reverse), the operator
*giải trình* (answers: *thừa nhận*, accepts, or *không thừa nhận*, rebuts with its own
evidence) by the deadline (*hạn giải trình*) the province sets, and the province *kết luận*
(decides: *phản ánh đúng*, upheld, or *phản ánh không đúng*, rejected). "Khiếu nại" (a legal
complaint) is not used: this is a technical review between the province and the operator.
"""

LABELS: dict[str, dict[str, str]] = {
    # The enums (geo.vocab) and the actions (geo.auth)
    "ChallengeClaim.not_covered": {
        "vi": "Thực tế không có sóng (công cụ ghi có)",
        "en": "Not covered in fact (shown as covered)",
    },
    "ChallengeClaim.covered": {
        "vi": "Thực tế có sóng (công cụ ghi không)",
        "en": "Covered in fact (shown as not covered)",
    },
    "ChallengeState.open": {"vi": "Chờ doanh nghiệp giải trình", "en": "Awaiting the answer"},
    "ChallengeState.accepted": {
        "vi": "Doanh nghiệp thừa nhận, chờ kết luận",
        "en": "Accepted by the operator, awaiting decision",
    },
    "ChallengeState.rebutted": {
        "vi": "Doanh nghiệp không thừa nhận, chờ kết luận",
        "en": "Rebutted by the operator, awaiting decision",
    },
    "ChallengeState.decided": {"vi": "Đã kết luận", "en": "Decided"},
    "ChallengeAnswer.accept": {"vi": "Thừa nhận", "en": "Accept"},
    "ChallengeAnswer.rebut": {"vi": "Không thừa nhận (giải trình)", "en": "Rebut"},
    "ChallengeDecision.upheld": {
        "vi": "Phản ánh đúng (chấp nhận)",
        "en": "Upheld",
    },
    "ChallengeDecision.rejected": {
        "vi": "Phản ánh không đúng (bác bỏ)",
        "en": "Rejected",
    },
    "ChallengeStep.raise": {"vi": "Phản ánh", "en": "Raised"},
    "ChallengeStep.deadline": {"vi": "Đặt hạn giải trình", "en": "Deadline set"},
    "ChallengeStep.answer": {"vi": "Giải trình", "en": "Answered"},
    "ChallengeStep.decide": {"vi": "Kết luận", "en": "Decided"},
    "Action.raise_challenge": {
        "vi": "phản ánh sai lệch tình trạng phủ sóng",
        "en": "challenge a coverage status",
    },
    "Action.answer_challenge": {
        "vi": "giải trình phản ánh",
        "en": "answer a challenge",
    },
    "Action.decide_challenge": {
        "vi": "kết luận phản ánh",
        "en": "decide a challenge",
    },
    "Action.set_challenge_deadline": {
        "vi": "đặt hạn giải trình",
        "en": "set a challenge's deadline",
    },
    # Words of the loop
    "challenges.term": {
        "vi": "Phản ánh sai lệch tình trạng phủ sóng",
        "en": "Challenge of a coverage status",
    },
    "challenges.page_title": {"vi": "Phản ánh phủ sóng", "en": "Coverage challenges"},
    "challenges.page_intro": {
        "vi": "Cán bộ tỉnh hoặc cán bộ huyện phản ánh tình trạng phủ sóng của một thôn/bản "
        "đối với một nhà mạng khi thấy sai (kèm lý do và căn cứ: kết quả đo kiểm, ghi chú, "
        "ảnh); doanh nghiệp giải trình trước hạn do tỉnh đặt; Cán bộ tỉnh kết luận. Mỗi bước "
        "được ghi ngày và người thực hiện, không sửa, không xóa.",
        "en": "A province planner or district viewer challenges a village's coverage status "
        "for one operator when it looks wrong (with a reason and evidence: measurements, a "
        "note, a photo); the operator answers by the deadline the province sets; the province "
        "planner decides. Every step is dated and attributed, never edited or deleted.",
    },
    "challenges.id": {"vi": "Số phản ánh", "en": "Challenge no."},
    "challenges.shown": {"vi": "Công cụ đang ghi", "en": "Shown by the tool"},
    "challenges.shown_covered": {"vi": "Có sóng", "en": "Covered"},
    "challenges.shown_not_covered": {"vi": "Không có sóng", "en": "Not covered"},
    "challenges.shown_evidence": {
        "vi": "Căn cứ của tình trạng đang ghi",
        "en": "Shown status rests on",
    },
    "challenges.claim": {"vi": "Nội dung phản ánh", "en": "Claim"},
    "challenges.reason": {"vi": "Lý do", "en": "Reason"},
    "challenges.state": {"vi": "Tình trạng xử lý", "en": "State"},
    "challenges.deadline": {"vi": "Hạn giải trình", "en": "Deadline"},
    "challenges.age_days": {"vi": "Số ngày từ khi phản ánh", "en": "Days since raised"},
    "challenges.overdue": {"vi": "Quá hạn giải trình", "en": "Overdue"},
    "challenges.days_overdue": {"vi": "Số ngày quá hạn", "en": "Days overdue"},
    "challenges.answer": {"vi": "Giải trình", "en": "Answer"},
    "challenges.decision": {"vi": "Kết luận", "en": "Decision"},
    "challenges.raised_by": {"vi": "Người phản ánh", "en": "Raised by"},
    "challenges.raised_on": {"vi": "Ngày phản ánh", "en": "Raised on"},
    "challenges.answered_by": {"vi": "Người giải trình", "en": "Answered by"},
    "challenges.answered_on": {"vi": "Ngày giải trình", "en": "Answered on"},
    "challenges.decided_by": {"vi": "Người kết luận", "en": "Decided by"},
    "challenges.decided_on": {"vi": "Ngày kết luận", "en": "Decided on"},
    "challenges.step": {"vi": "Bước", "en": "Step"},
    "challenges.step_value": {"vi": "Nội dung", "en": "Value"},
    "challenges.note": {"vi": "Ghi chú / căn cứ", "en": "Note / evidence"},
    "challenges.measurements": {"vi": "Kết quả đo kiểm", "en": "Measurements"},
    "challenges.photo": {"vi": "Ảnh (JPEG/PNG)", "en": "Photo (JPEG/PNG)"},
    "challenges.photo_sha256": {"vi": "Ảnh (SHA-256)", "en": "Photo (SHA-256)"},
    "challenges.who": {"vi": "Người thực hiện", "en": "By"},
    "challenges.role": {"vi": "Vai trò", "en": "Role"},
    "challenges.at": {"vi": "Thời điểm", "en": "At"},
    "challenges.yes": {"vi": "có", "en": "yes"},
    "challenges.no": {"vi": "không", "en": "no"},
    "challenges.measurements_summary": {
        "vi": "{count} lần đo, trung vị {median} dBm, {share} trên ngưỡng, lần cuối {last}",
        "en": "{count} measurements, median {median} dBm, {share} above threshold, last {last}",
    },
    "challenges.measurements_count": {"vi": "Số lần đo", "en": "Measurements (count)"},
    "challenges.measurements_median": {
        "vi": "Trung vị cường độ tín hiệu (dBm)",
        "en": "Median signal level (dBm)",
    },
    "challenges.measurements_share": {
        "vi": "Tỷ lệ lần đo trên ngưỡng (%)",
        "en": "Share above threshold (%)",
    },
    "challenges.measurements_last": {"vi": "Ngày đo gần nhất", "en": "Last measured on"},
    "challenges.measurements_source": {"vi": "Nguồn đo kiểm", "en": "Measurement source"},
    # The page
    "challenges.open_header": {
        "vi": "Phản ánh đang chờ xử lý, theo nhà mạng và số ngày",
        "en": "Open challenges by operator and age",
    },
    "challenges.all_header": {"vi": "Tất cả phản ánh", "en": "All challenges"},
    "challenges.none_open": {
        "vi": "Không có phản ánh nào đang chờ xử lý.",
        "en": "No open challenge.",
    },
    "challenges.metric_open": {"vi": "Đang chờ xử lý", "en": "Open"},
    "challenges.metric_overdue": {"vi": "Quá hạn giải trình", "en": "Overdue"},
    "challenges.metric_to_decide": {"vi": "Chờ kết luận", "en": "Awaiting decision"},
    "challenges.metric_decided": {"vi": "Đã kết luận", "en": "Decided"},
    "challenges.raise_header": {"vi": "Phản ánh một thôn/bản", "en": "Challenge a village"},
    "challenges.pick_village": {"vi": "Thôn/bản", "en": "Village"},
    "challenges.pick_operator": {"vi": "Nhà mạng bị phản ánh", "en": "Operator challenged"},
    "challenges.status_now": {
        "vi": "Công cụ đang ghi: {operator} — {status}. Phản ánh sẽ là: {claim}.",
        "en": "The tool shows: {operator} — {status}. The challenge will say: {claim}.",
    },
    "challenges.deadline_default": {
        "vi": "Hạn giải trình mặc định: {days} ngày sau ngày phản ánh; Cán bộ tỉnh có thể đặt lại.",
        "en": "Default deadline: {days} days after the challenge is raised; the province "
        "planner may set another.",
    },
    "challenges.raise_button": {"vi": "Gửi phản ánh", "en": "Raise the challenge"},
    "challenges.raised_ok": {
        "vi": "Đã ghi phản ánh số {id}: {village} — {operator}; hạn giải trình {deadline}.",
        "en": "Challenge no. {id} recorded: {village} — {operator}; deadline {deadline}.",
    },
    "challenges.work_header": {"vi": "Xử lý một phản ánh", "en": "Work on a challenge"},
    "challenges.pick_challenge": {"vi": "Phản ánh", "en": "Challenge"},
    "challenges.answer_header": {
        "vi": "Giải trình của doanh nghiệp",
        "en": "The operator's answer",
    },
    "challenges.answer_button": {"vi": "Gửi giải trình", "en": "Send the answer"},
    "challenges.answered_ok": {
        "vi": "Đã ghi giải trình cho phản ánh số {id}.",
        "en": "The answer to challenge no. {id} is recorded.",
    },
    "challenges.decide_header": {"vi": "Kết luận của tỉnh", "en": "The province's decision"},
    "challenges.decide_button": {"vi": "Ghi kết luận", "en": "Record the decision"},
    "challenges.decided_ok": {
        "vi": "Đã ghi kết luận cho phản ánh số {id}.",
        "en": "The decision on challenge no. {id} is recorded.",
    },
    "challenges.deadline_header": {"vi": "Đặt lại hạn giải trình", "en": "Set the deadline"},
    "challenges.deadline_button": {"vi": "Đặt hạn", "en": "Set the deadline"},
    "challenges.deadline_ok": {
        "vi": "Hạn giải trình của phản ánh số {id} là {deadline}.",
        "en": "The deadline of challenge no. {id} is {deadline}.",
    },
    "challenges.history_header": {"vi": "Các bước (lịch sử)", "en": "Steps (history)"},
    "challenges.download_photo": {"vi": "Tải ảnh {sha}", "en": "Download photo {sha}"},
    "challenges.not_yours": {
        "vi": "Tài khoản này không được thực hiện bước này.",
        "en": "This account may not take this step.",
    },
    "challenges.nothing_to_do": {
        "vi": "Phản ánh đã kết luận; không còn bước nào.",
        "en": "The challenge is decided; no step is left.",
    },
    "challenges.waiting_answer": {
        "vi": "Đang chờ doanh nghiệp giải trình (hạn {deadline}); Cán bộ tỉnh kết luận sau khi "
        "có giải trình hoặc khi quá hạn.",
        "en": "Awaiting the operator's answer (deadline {deadline}); the province planner "
        "decides after the answer or once the deadline has passed.",
    },
    "challenges.download_xlsx": {"vi": "Tải danh sách phản ánh (.xlsx)", "en": "Download (.xlsx)"},
    "challenges.download_csv": {"vi": "Tải danh sách phản ánh (.csv)", "en": "Download (.csv)"},
    "challenges.synthetic_note": {
        "vi": "Lưu ý: trạm BTS của bản đồ là dữ liệu mô phỏng khi tỉnh chưa nhập danh sách trạm "
        "thật; tình trạng phủ sóng khi đó chỉ để minh họa.",
        "en": "Note: the map's sites are synthetic until the province imports its real site "
        "list; the coverage status is then only a demonstration.",
    },
    "challenges.sheet_list": {"vi": "Phản ánh", "en": "Challenges"},
    "challenges.sheet_steps": {"vi": "Các bước", "en": "Steps"},
    # Errors (each says the fix)
    "challenges.err_reason": {
        "vi": "Hãy ghi lý do phản ánh (1–{max} ký tự), ví dụ: 'đo tại nhà văn hóa thôn không có "
        "sóng 4G'.",
        "en": "Give the reason of the challenge (1–{max} characters), e.g. 'no 4G signal at "
        "the village hall'.",
    },
    "challenges.err_text_long": {
        "vi": "Nội dung dài quá {max} ký tự: hãy rút gọn.",
        "en": "The text is longer than {max} characters: shorten it.",
    },
    "challenges.err_evidence": {
        "vi": "Hãy kèm ít nhất một căn cứ: kết quả đo kiểm, ghi chú hoặc ảnh.",
        "en": "Give at least one piece of evidence: measurements, a note or a photo.",
    },
    "challenges.err_note": {
        "vi": "Hãy ghi ý kiến giải trình hoặc căn cứ kết luận (1–{max} ký tự).",
        "en": "Give the grounds of the answer or of the decision (1–{max} characters).",
    },
    "challenges.err_photo_type": {
        "vi": "Tệp {name} không phải ảnh JPEG hoặc PNG (đã kiểm tra nội dung tệp, không chỉ "
        "đuôi tên): hãy gửi ảnh chụp dạng .jpg hoặc .png.",
        "en": "The file {name} is not a JPEG or PNG image (its content was checked, not only "
        "its name): send a photo as .jpg or .png.",
    },
    "challenges.err_photo_size": {
        "vi": "Ảnh {name} nặng {size} byte, quá giới hạn {max} byte: hãy giảm kích thước ảnh "
        "(ví dụ chụp ở độ phân giải thấp hơn).",
        "en": "The photo {name} has {size} bytes, more than the limit of {max}: make it "
        "smaller (e.g. a lower resolution).",
    },
    "challenges.err_photo_empty": {
        "vi": "Tệp ảnh {name} rỗng: hãy chọn lại ảnh.",
        "en": "The photo file {name} is empty: choose the photo again.",
    },
    "challenges.err_photo_missing": {
        "vi": "Không có tệp ảnh {name}.",
        "en": "The photo file {name} does not exist.",
    },
    "challenges.err_measurements": {
        "vi": "Kết quả đo kiểm không hợp lệ: {why}.",
        "en": "The measurement summary is not valid: {why}.",
    },
    "challenges.err_operator": {
        "vi": "Nhà mạng {operator!r} không rõ; hãy dùng một trong {operators}.",
        "en": "Unknown operator {operator!r}; use one of {operators}.",
    },
    "challenges.err_village": {
        "vi": "Thôn/bản thiếu cột {column}: không ghi được phản ánh (lỗi của chương trình).",
        "en": "The village lacks the column {column}: the challenge cannot be recorded (a fault "
        "of the program).",
    },
    "challenges.err_village_unknown": {
        "vi": "Không có thôn/bản mã {village_id} trong tỉnh {province}: xem mã ở chú thích của "
        "thôn trên bản đồ hoặc trong bảng thôn/bản.",
        "en": "No village has the id {village_id} in province {province}: see the id in the "
        "village's tooltip on the map or in the village table.",
    },
    "challenges.err_deadline_past": {
        "vi": "Hạn giải trình {deadline} phải sau hôm nay ({today}).",
        "en": "The deadline {deadline} must be after today ({today}).",
    },
    "challenges.err_deadline_far": {
        "vi": "Hạn giải trình {deadline} xa quá {days} ngày: hãy đặt hạn gần hơn.",
        "en": "The deadline {deadline} is more than {days} days away: set a nearer one.",
    },
    "challenges.err_date": {
        "vi": "Ngày {value!r} không đọc được: hãy ghi dd/mm/yyyy, ví dụ 31/12/2026.",
        "en": "Cannot read the date {value!r}: write dd/mm/yyyy, e.g. 31/12/2026.",
    },
    "challenges.err_already_open": {
        "vi": "Thôn/bản {village} đã có phản ánh số {id} với {operator} đang chờ xử lý: hãy bổ "
        "sung vào phản ánh đó thay vì mở phản ánh mới.",
        "en": "The village {village} has challenge no. {id} about {operator} still open: add "
        "to it instead of raising a new one.",
    },
    "challenges.err_not_found": {
        "vi": "Không có phản ánh số {id}; xem `python -m geo challenges list`.",
        "en": "No challenge has the number {id}; see `python -m geo challenges list`.",
    },
    "challenges.err_not_open": {
        "vi": "Phản ánh số {id} đang ở tình trạng '{state}': chỉ giải trình hoặc đặt hạn khi "
        "phản ánh đang chờ doanh nghiệp giải trình.",
        "en": "Challenge no. {id} is '{state}': an answer or a deadline is given only while it "
        "awaits the operator's answer.",
    },
    "challenges.err_late": {
        "vi": "Đã quá hạn giải trình của phản ánh số {id} ({deadline}): hãy đề nghị Cán bộ tỉnh "
        "gia hạn.",
        "en": "The deadline of challenge no. {id} has passed ({deadline}): ask the province "
        "planner to extend it.",
    },
    "challenges.err_too_early": {
        "vi": "Phản ánh số {id} còn trong hạn giải trình ({deadline}) và doanh nghiệp chưa giải "
        "trình: chỉ kết luận sau khi có giải trình hoặc khi quá hạn.",
        "en": "Challenge no. {id} is within its deadline ({deadline}) and not answered yet: "
        "decide after the answer or once the deadline has passed.",
    },
    "challenges.err_decided": {
        "vi": "Phản ánh số {id} đã kết luận ngày {on}: kết luận không sửa được; hãy mở phản ánh "
        "mới nếu có căn cứ mới.",
        "en": "Challenge no. {id} was decided on {on}: a decision is never changed; raise a new "
        "challenge if there is new evidence.",
    },
    "challenges.err_stale": {
        "vi": "Phản ánh số {id} vừa được người khác cập nhật: hãy tải lại và xem bước mới nhất.",
        "en": "Challenge no. {id} was changed by someone else meanwhile: reload and see the "
        "latest step.",
    },
    "challenges.err_photo_unknown": {
        "vi": "Không có ảnh {sha} trong sổ phản ánh.",
        "en": "No photo {sha} is kept in the challenge store.",
    },
    "challenges.err_measured_count": {
        "vi": "Hãy ghi --measured-count (số lần đo) cùng các tùy chọn đo kiểm khác.",
        "en": "Give --measured-count (how many measurements) with the other measurement options.",
    },
    "challenges.err_output": {
        "vi": "Không ghi được {name}: hãy dùng .xlsx hoặc .csv.",
        "en": "Cannot write {name}: use .xlsx or .csv.",
    },
}
