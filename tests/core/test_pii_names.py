"""Names in running text (issue 16): found and masked without a label or a title, in Korean
and English; ordinary words, places and brands are left alone; numbers issue 16 asked for
(외국인등록번호, bank accounts, SSN) are found in their common shapes, look-alikes are not.

The names and sentences here are for development; the held-out measure is
``python -m bench.pii_accuracy`` on ``data/pii_names_heldout.yaml`` (see
``test_pii_labelled.py`` for its floors).
"""

from __future__ import annotations

import time

import pytest
import re2

from core.pii.analyzer import PiiAnalyzer, build_analyzer
from core.pii.person import RUNNING_NAME_TRIGGER, AegisRunningNameRecognizer
from core.pii.recognizers import frn_check_digit_ok
from core.scanning.output.pii import OutputPiiGuard


@pytest.fixture(scope="module")
def analyzer() -> PiiAnalyzer:
    return build_analyzer()


@pytest.fixture(scope="module")
def guard(analyzer: PiiAnalyzer) -> OutputPiiGuard:
    return OutputPiiGuard(analyzer)


def _found(analyzer: PiiAnalyzer, text: str) -> list[tuple[str, str]]:
    return [(r.entity_type, text[r.start : r.end]) for r in analyzer.analyze(text)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        pytest.param("남기현이 어제 보고서를 냈다.", "남기현", id="ko-subject"),
        pytest.param("우리는 어제 박서준과 만났다.", "박서준", id="ko-with"),
        pytest.param("윤하늘에게 연락해 주세요.", "윤하늘", id="ko-to"),
        pytest.param("곽도원의 주소를 확인했다.", "곽도원", id="ko-possessive"),
        pytest.param("표예진이 답장을 보냈다.", "표예진", id="ko-not-in-dictionary"),
        pytest.param("채수빈을 회의에 초대했다.", "채수빈", id="ko-object"),
        pytest.param("황보민재가 서류를 냈습니다.", "황보민재", id="ko-double-surname"),
        pytest.param("I spoke with Daniel Reeves this morning.", "Daniel Reeves", id="en-object"),
        pytest.param("Olivia Grant approved the refund.", "Olivia Grant", id="en-subject"),
        pytest.param("Please ask Hannah Lowe about it.", "Hannah Lowe", id="en-after-verb"),
        pytest.param("Grace Sullivan wrote the draft.", "Grace Sullivan", id="en-word-first-name"),
        pytest.param("The memo from John T. Walsh arrived.", "John T. Walsh", id="en-initial"),
        pytest.param("Seoyeon Park joined the call.", "Seoyeon Park", id="en-romanised-korean"),
        pytest.param("고객 Emily Carter의 주문입니다.", "Emily Carter", id="en-in-korean"),
        # A common given name MeCab's dictionary does not know, read by it as other words
        # (core.pii.person.KNOWN_GIVEN_NAMES).
        pytest.param("탁서윤이 보고서를 검토했다.", "탁서윤", id="ko-known-given-name"),
        pytest.param("육하린은 내일 출근합니다.", "육하린", id="ko-known-given-topic"),
        pytest.param("어제 국다은과 통화했어요.", "국다은", id="ko-known-given-with"),
        pytest.param("염소율에게 자료를 보내 주세요.", "염소율", id="ko-known-given-to"),
        # First names the 1990 US census does not list, and letters with diacritics.
        pytest.param("Chiamaka Obi signed the form.", "Chiamaka Obi", id="en-igbo"),
        pytest.param("We met Søren Kjær yesterday.", "Søren Kjær", id="en-danish"),
        pytest.param("Lucía Fernández approved the budget.", "Lucía Fernández", id="en-accents"),
        pytest.param("Hiroshi Tanaka joined the call.", "Hiroshi Tanaka", id="en-japanese"),
        pytest.param("We thank Álvaro Gómez for it.", "Álvaro Gómez", id="en-accented-initial"),
    ],
)
def test_a_name_in_running_text_is_found(analyzer: PiiAnalyzer, text: str, name: str) -> None:
    """A person's name with no label and no title is a PERSON finding, the name its span."""
    assert _found(analyzer, text) == [("PERSON", name)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("정보보호 교육은 다음 주 화요일에 진행됩니다.", id="ko-nouns"),
        pytest.param("사용자 설명서를 새로 만들었습니다.", id="ko-user-manual"),
        pytest.param("민원인 명단과 신청서를 확인했다.", id="ko-civil"),
        pytest.param("이번 분기 매출은 지난 분기보다 늘었습니다.", id="ko-quarter"),
        pytest.param("조선시대 유물이 한강공원에 전시되었다.", id="ko-places"),
        pytest.param("정리한 내용을 공유합니다.", id="ko-verb-form"),
        pytest.param("Our New York office is closed on Monday.", id="en-city"),
        pytest.param("Machine Learning is covered in the Second Module.", id="en-title-case"),
        pytest.param("The Grace Period ends on Friday.", id="en-word-first-name"),
        pytest.param("Will Power alone is not enough.", id="en-will-power"),
        pytest.param("Hong Kong stocks fell sharply.", id="en-hong-kong"),
        pytest.param("We walked through Central Park.", id="en-park"),
        pytest.param("Victoria Station is a short walk away.", id="en-station"),
        pytest.param("Jordan River trails are open again.", id="en-river"),
        pytest.param("Dear Customer, your order has shipped.", id="en-salutation"),
        # A surname syllable, then a known given name's syllables that are a verb's or a
        # word and its particle here.
        pytest.param("정부가 주도하는 사업입니다.", id="ko-hada-verb"),
        pytest.param("올바른 길로 인도하는 교사가 필요하다.", id="ko-hada-verb-2"),
        pytest.param("환자가 병실 밖으로 이동하는 것을 제한한다.", id="ko-hada-verb-3"),
        pytest.param("특별한 이상은 없습니다.", id="ko-word-and-particle"),
        pytest.param("1위를 차지한 후보가 발언했다.", id="ko-fused-ending"),
        pytest.param("사진을 다 지우진 못했다.", id="ko-verb-and-ending"),
        pytest.param("The Ming Dynasty lasted centuries.", id="en-dynasty"),
    ],
)
def test_ordinary_words_are_not_names(analyzer: PiiAnalyzer, text: str) -> None:
    """Nouns, capitalised words, places and greetings are no PERSON finding."""
    assert _found(analyzer, text) == []


def test_a_name_in_an_answer_is_masked(guard: OutputPiiGuard) -> None:
    """The output guard masks a name in running text the Korean way, first and last kept."""
    checked = guard.check("어제 남기현이 보고서를 냈고 Daniel Reeves가 검토했습니다.")
    assert checked.text == "어제 남*현이 보고서를 냈고 D***** R*****가 검토했습니다."
    assert [finding.type for finding in checked.findings] == ["PERSON", "PERSON"]


def test_a_name_streamed_in_pieces_is_masked(guard: OutputPiiGuard) -> None:
    """A streamed answer never lets a name through, however the chunks cut it."""
    text = "담당자는 어제 남기현이 맡았고, 검토는 Daniel Reeves가 했습니다. 감사합니다."
    for size in (1, 2, 3, 7):
        stream = guard.stream()
        sent = "".join(stream.feed(text[i : i + size]).text for i in range(0, len(text), size))
        sent += stream.flush().text
        assert "남기현" not in sent and "Daniel" not in sent and "Reeves" not in sent, size
        assert sent.startswith("담당자는 어제 남*현이")


def test_a_stream_without_names_is_not_held_for_them(guard: OutputPiiGuard) -> None:
    """Ordinary prose flows as it arrives: a name-like word holds nothing after it, only
    itself until its word ends."""
    stream = guard.stream()
    sent = stream.feed("Machine Learning is fun and useful for many teams today. ").text
    assert sent == "Machine Learning is fun and useful for many teams today. "


def test_the_gate_is_not_hit_by_prose_without_name_like_words() -> None:
    """The cheap RE2 gate sees no candidate in prose with no capitalised pair and no
    surname-led three-syllable word, so such text never reaches MeCab or Presidio."""
    gate = re2.compile(RUNNING_NAME_TRIGGER)
    assert gate.search("이번 분기 매출은 지난 분기보다 늘었고 비용은 비슷했습니다.") is None
    assert gate.search("The board asked for a short summary before the meeting.") is None
    assert gate.search("어제 김민수가 왔다") is not None
    assert gate.search("ask Daniel Reeves") is not None


def _frn(first12: str, valid: bool = True) -> str:
    digit = next(d for d in "0123456789" if frn_check_digit_ok(first12 + d))
    return first12 + (digit if valid else str((int(digit) + 1) % 10))


FRN = _frn("850412512347")  # office 12 (even), type digit 7
FRN_NEW = _frn("850412512347", valid=False)  # since October 2020: no check digit


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        pytest.param(f"번호 {FRN[:6]}-{FRN[6:]}", "KR_FRN", f"{FRN[:6]}-{FRN[6:]}", id="frn-check"),
        pytest.param(f"ARC No. {FRN_NEW}", "KR_FRN", FRN_NEW, id="frn-new-arc"),
        pytest.param(f"체류 외국인 {FRN_NEW} 등록", "KR_FRN", FRN_NEW, id="frn-new-stay"),
        pytest.param(
            "카카오뱅크 3333-12-3456789로", "KR_BANK_ACCOUNT", "3333-12-3456789", id="kakao"
        ),
        pytest.param("신한 110 234 567890", "KR_BANK_ACCOUNT", "110 234 567890", id="spaced"),
        pytest.param("계좌번호 1002123456789로", "KR_BANK_ACCOUNT", "1002123456789", id="bare"),
        pytest.param(
            "환불은 농협 3510987654321 로 처리됩니다.",
            "KR_BANK_ACCOUNT",
            "3510987654321",
            id="bare-after-bank",
        ),
        pytest.param(
            "송금 받을 곳: 토스뱅크 100012345678",
            "KR_BANK_ACCOUNT",
            "100012345678",
            id="bare-after-digital-bank",
        ),
        pytest.param(
            "4968880894684 로 송금했습니다",
            "KR_BANK_ACCOUNT",
            "4968880894684",
            id="bare-money-sent-to",
        ),
        pytest.param("SSN 123456780 on file", "US_SSN", "123456780", id="ssn-bare"),
        pytest.param("social sec # 234-56-7890", "US_SSN", "234-56-7890", id="ssn-dashed"),
        pytest.param(
            "Order form: SSN 345-67-8901 attached", "US_SSN", "345-67-8901", id="ssn-and-order"
        ),
    ],
)
def test_numbers_in_their_common_shapes(
    analyzer: PiiAnalyzer, text: str, entity: str, value: str
) -> None:
    """외국인등록번호 with a passing check digit anywhere, and with context since 2020;
    accounts named by their bank, written bare after 계좌번호 or a bank's name, or as where
    money was sent; SSNs bare after SSN."""
    assert _found(analyzer, text) == [(entity, value)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"주문번호 {FRN_NEW}", id="frn-shape-order"),
        pytest.param("주문번호 2024-0315-001234 배송 조회", id="order-number"),
        pytest.param("예약번호 20240315123456 확인", id="booking-digits"),
        pytest.param("Order #123-45-6789-001 shipped.", id="ssn-shape-order"),
        pytest.param("Ticket 123456789 resolved.", id="nine-digits-no-context"),
        pytest.param("Part no. 318-55-1120 gasket, qty 4", id="ssn-shape-part-number"),
        pytest.param("부품번호 512-34-7781 재고 3개", id="ssn-shape-ko-part-number"),
        pytest.param("Model SKU 417-22-8830 is out of stock.", id="ssn-shape-sku"),
        pytest.param("우리 팀 2024-0315-0012 건", id="we-not-a-bank"),
        pytest.param("우리 2024031512 회의록", id="we-not-a-bank-bare"),
        pytest.param("부산 2024031512 사건 판결문", id="city-not-a-bank"),
        pytest.param("카카오 1234567890 주문", id="company-not-a-bank"),
        pytest.param("우체국 6012345678901 조회", id="parcel-number"),
        pytest.param("국민 10000000000명 시대", id="a-count-after-국민"),
        pytest.param("송장번호 1234567890로 조회했어요", id="tracking-number-로"),
    ],
)
def test_look_alikes_stay_unfound(analyzer: PiiAnalyzer, text: str) -> None:
    """Order, booking and ticket numbers of the same shapes are not values."""
    assert _found(analyzer, text) == []


@pytest.mark.timing
def test_a_long_run_of_capitalised_words_costs_linear_time() -> None:
    """A name is looked for in a run's last words only: 300 KB of capitalised words, one
    run, took ~3 s when every word started a slice to the run's end; now under 0.1 s."""
    text = ("Álvaro Ñúñez " * 25_000)[: 300 * 1024]
    recognizer = AegisRunningNameRecognizer()
    costs = []
    for _ in range(2):
        started = time.thread_time()
        found = list(recognizer.spans(text))
        costs.append(time.thread_time() - started)
    assert found, "the run's last two words are a name"
    assert min(costs) < 1.0, costs
