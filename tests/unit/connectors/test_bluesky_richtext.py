"""Bluesky's text rules: graphemes, facets on UTF-8 byte offsets, service DID, links."""

from __future__ import annotations

from connectors.bluesky import facets, grapheme_len, jwt_expiry_seconds, post_url, service_did
from tests.fakes.bluesky_pds import make_jwt


def _slices(text: str) -> list[tuple[str, str]]:
    raw = text.encode()
    out = []
    for facet in facets(text):
        index, feature = facet["index"], facet["features"][0]
        out.append(
            (
                feature["$type"].rsplit("#", 1)[1],
                raw[index["byteStart"] : index["byteEnd"]].decode(),
            )
        )
    return out


def test_graphemes_count_emoji_and_combining_marks_once() -> None:
    assert grapheme_len("café") == 4
    assert grapheme_len("cafe\u0301") == 4
    assert grapheme_len("👨‍👩‍👧‍👦🇫🇷") == 2
    assert grapheme_len("☕" * 300) == 300


def test_offsets_are_utf8_bytes_after_multibyte_text() -> None:
    text = "Café ☕ 👨‍👩‍👧 new roast https://acme.example/beans #coffee"
    found = facets(text)
    assert [f["features"][0]["$type"] for f in found] == [
        "app.bsky.richtext.facet#link",
        "app.bsky.richtext.facet#tag",
    ]
    link = found[0]["index"]
    assert link["byteStart"] == len("Café ☕ 👨‍👩‍👧 new roast ".encode())
    assert link["byteStart"] != len("Café ☕ 👨‍👩‍👧 new roast ")  # bytes, not characters
    assert _slices(text) == [("link", "https://acme.example/beans"), ("tag", "#coffee")]
    assert found[1]["features"][0]["tag"] == "coffee"


def test_trailing_punctuation_is_not_part_of_links_or_tags() -> None:
    text = "Read https://acme.example/a. Then (https://acme.example/b) #espresso! #latte,"
    assert _slices(text) == [
        ("link", "https://acme.example/a"),
        ("link", "https://acme.example/b"),
        ("tag", "#espresso"),
        ("tag", "#latte"),
    ]


def test_numbers_and_mid_word_hashes_are_not_tags() -> None:
    assert _slices("Order #1 today, c#sharp and #２０２６") == []
    assert _slices("#ÜberKaffee tastes good") == [("tag", "#ÜberKaffee")]


def test_no_facets_in_plain_text() -> None:
    assert facets("Fresh beans today") == []


def test_service_did_encodes_the_port() -> None:
    assert (
        service_did("https://morel.us-east.host.bsky.network")
        == "did:web:morel.us-east.host.bsky.network"
    )
    assert service_did("http://127.0.0.1:2583") == "did:web:127.0.0.1%3A2583"


def test_post_url_uses_the_rkey() -> None:
    uri = "at://did:plc:abc/app.bsky.feed.post/3kxyz"
    assert (
        post_url("https://bsky.app", "acme.bsky.social", uri)
        == "https://bsky.app/profile/acme.bsky.social/post/3kxyz"
    )


def test_jwt_expiry_is_read_for_scheduling() -> None:
    import time

    left = jwt_expiry_seconds(make_jwt({"exp": int(time.time()) + 7200}))
    assert left is not None and 7100 < left <= 7200
    assert jwt_expiry_seconds("not-a-jwt") is None


def test_mastodon_counts_links_as_23_and_remote_mentions_locally() -> None:
    from connectors.mastodon import normalize_server, status_length

    assert status_length("hi https://example.com/" + "a" * 100) == 3 + 23
    assert status_length("@anna@very.long.server.example hi") == len("@anna hi")
    assert status_length("☕👨‍👩‍👧") == 2
    assert normalize_server("@me@Mastodon.Social") == "https://mastodon.social"
    assert normalize_server("https://fosstodon.org/") == "https://fosstodon.org"
