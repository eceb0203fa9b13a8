"""Probe: a long bilingual title must reach the mail subject whole.

Titles may be 200 characters in each language; Japanese takes 3 bytes a
character (emoji 4). The subject was composed into 512 bytes, so a long
Japanese title lost the English one entirely and ended in a cut UTF-8
sequence (invalid UTF-8 inside the encoded word).
"""
from conftest import wait_for
from test_message_format import PUBLIC_URL, check_subject, flags, started


def test_longest_titles_reach_the_subject_whole(tmp_path, smtp):
    h = started(tmp_path, flags(smtp, ["--public-url", PUBLIC_URL]))
    try:
        h.add_operator("op-m")
        h.cli("org", "contact", "op-m", "--channel", "email", "--address",
              "liaison@op-m.example.jp")
        ja = ("重要インフラ" * 34)[:199] + "😀"       # 200 characters
        en = ("Critical infrastructure " * 9)[:199] + "!"
        assert len(ja) == 200 and len(en) == 200
        h.issue("nisc-a", title_ja=ja, title_en=en,
                audience={"orgs": ["op-m"]})
        wait_for(lambda: smtp.to("liaison@op-m.example.jp"),
                 what="the mail")
        mail = smtp.to("liaison@op-m.example.jp")[0]
        check_subject(mail, f"{ja} / {en}")
    finally:
        h.stop()
