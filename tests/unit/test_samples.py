from __future__ import annotations

import io
import json
import re
import shutil
import struct
import subprocess
import wave
import zlib
from pathlib import Path

import pytest

from mockserver.scenario.jobs.samples import KINDS, SampleFile, sample_file

# --- The registry of kinds -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_gives_a_small_file_with_a_type_and_an_extension(kind: str) -> None:
    sample = sample_file(kind)
    assert isinstance(sample, SampleFile)
    assert 0 < len(sample.content) < 16_000
    assert "/" in sample.media_type
    assert sample.extension and not sample.extension.startswith(".")


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_kind_and_seed_give_the_same_bytes(kind: str) -> None:
    assert sample_file(kind, "asset_1").content == sample_file(kind, "asset_1").content


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="hologram"):
        sample_file("hologram")


def test_the_seed_is_ignored_where_it_would_be_costly() -> None:
    for kind in ("3d", "audio", "document", "image-hdr", "video"):
        assert sample_file(kind, "a").content == sample_file(kind, "b").content


# --- PNG -----------------------------------------------------------------------------------------


def png_chunks(content: bytes) -> list[tuple[bytes, bytes]]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    chunks = []
    at = 8
    while at < len(content):
        (length,) = struct.unpack(">I", content[at : at + 4])
        kind = content[at + 4 : at + 8]
        data = content[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", content[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + data), kind
        chunks.append((kind, data))
        at += 12 + length
    assert at == len(content)
    return chunks


def png_pixels(content: bytes) -> tuple[int, int, bytes]:
    chunks = png_chunks(content)
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour, compression, filtering, interlace) == (8, 2, 0, 0, 0)
    raw = zlib.decompress(b"".join(data for kind, data in chunks if kind == b"IDAT"))
    stride = 1 + width * 3
    assert len(raw) == height * stride
    assert all(raw[row * stride] == 0 for row in range(height))
    pixels = b"".join(raw[row * stride + 1 : (row + 1) * stride] for row in range(height))
    return width, height, pixels


def test_image_is_a_png_with_valid_chunks() -> None:
    sample = sample_file("image", "asset_1")
    assert (sample.media_type, sample.extension) == ("image/png", "png")
    width, height, pixels = png_pixels(sample.content)
    assert (width, height) == (64, 64)
    assert len(pixels) == 64 * 64 * 3


def test_image_colour_follows_the_seed() -> None:
    first, second = sample_file("image", "asset_1"), sample_file("image", "asset_2")
    assert first.content != second.content
    assert png_pixels(first.content)[2][:3] != png_pixels(second.content)[2][:3]
    assert sample_file("image", "asset_1") == first
    assert sample_file("image").content == sample_file("image", "").content


# --- Radiance HDR --------------------------------------------------------------------------------


def test_image_hdr_is_a_flat_radiance_picture() -> None:
    sample = sample_file("image-hdr")
    assert (sample.media_type, sample.extension) == ("image/vnd.radiance", "hdr")
    header, _, rest = sample.content.partition(b"\n\n")
    lines = header.decode("ascii").split("\n")
    assert lines[0] == "#?RADIANCE"
    assert "FORMAT=32-bit_rle_rgbe" in lines[1:]
    resolution, _, pixels = rest.partition(b"\n")
    match = re.fullmatch(r"-Y (\d+) \+X (\d+)", resolution.decode("ascii"))
    assert match
    height, width = int(match[1]), int(match[2])
    assert len(pixels) == width * height * 4
    for row in range(height):
        start = pixels[row * width * 4 : row * width * 4 + 4]
        assert start[:2] != b"\x02\x02", "a flat scanline must not look like a run-length one"
    for at in range(0, len(pixels), 4):
        assert pixels[at : at + 3] != b"\x01\x01\x01", "a flat pixel must not look like a repeat"
        assert pixels[at + 3] >= 128  # no pixel is black


# --- WAV -----------------------------------------------------------------------------------------


def test_audio_is_a_short_pcm_wav_tone() -> None:
    sample = sample_file("audio")
    assert (sample.media_type, sample.extension) == ("audio/wav", "wav")
    assert sample.content[:4] == b"RIFF" and sample.content[8:12] == b"WAVE"
    with wave.open(io.BytesIO(sample.content)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        assert 0.2 <= wav.getnframes() / wav.getframerate() <= 0.3
        frames = wav.readframes(wav.getnframes())
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    assert max(samples) > 5000 and min(samples) < -5000


# --- MP4 -----------------------------------------------------------------------------------------

MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"dinf", b"stbl"}


def mp4_boxes(content: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes in content[start:end], which they must fill exactly."""
    end = len(content) if end is None else end
    boxes = []
    at = start
    while at < end:
        size, kind = struct.unpack(">I4s", content[at : at + 8])
        assert size >= 8 and at + size <= end, kind
        boxes.append((kind, at + 8, at + size))
        at += size
    assert at == end
    return boxes


def mp4_tree(content: bytes, start: int = 0, end: int | None = None, path: str = "") -> dict[str, tuple[int, int]]:
    found = {}
    for kind, payload_start, payload_end in mp4_boxes(content, start, end):
        name = path + kind.decode("latin-1")
        found[name] = (payload_start, payload_end)
        if kind in MP4_CONTAINERS:
            found.update(mp4_tree(content, payload_start, payload_end, name + "/"))
    return found


def test_video_is_an_mp4_whose_boxes_add_up() -> None:
    sample = sample_file("video")
    assert (sample.media_type, sample.extension) == ("video/mp4", "mp4")
    top = mp4_boxes(sample.content)
    assert [kind for kind, _, _ in top] == [b"ftyp", b"moov", b"mdat"]
    assert sample.content[8:12] == b"isom"
    tree = mp4_tree(sample.content)
    stbl = "moov/trak/mdia/minf/stbl/"
    for name in ("moov/mvhd", "moov/trak/tkhd", "moov/trak/mdia/mdhd", "moov/trak/mdia/hdlr", stbl + "stsd"):
        assert name in tree
    hdlr_start, _ = tree["moov/trak/mdia/hdlr"]
    assert sample.content[hdlr_start + 8 : hdlr_start + 12] == b"vide"
    assert sum(1 for name in tree if name == "moov/trak") == 1


def test_video_sample_tables_point_into_mdat() -> None:
    content = sample_file("video").content
    tree = mp4_tree(content)
    stbl = "moov/trak/mdia/minf/stbl/"
    _, mdat_start, mdat_end = mp4_boxes(content)[-1]

    stsz_start, _ = tree[stbl + "stsz"]
    _, uniform, count = struct.unpack(">III", content[stsz_start : stsz_start + 12])
    assert uniform == 0 and count > 1
    sizes = struct.unpack(f">{count}I", content[stsz_start + 12 : stsz_start + 12 + 4 * count])
    stco_start, _ = tree[stbl + "stco"]
    _, chunks, offset = struct.unpack(">III", content[stco_start : stco_start + 12])
    assert (chunks, offset) == (1, mdat_start)
    assert sum(sizes) == mdat_end - mdat_start

    # Each sample holds length-prefixed H.264 NAL units: first an IDR picture, then non-IDR pictures.
    at = mdat_start
    nal_types = []
    for size in sizes:
        (length,) = struct.unpack(">I", content[at : at + 4])
        assert length + 4 == size
        nal_types.append(content[at + 4] & 0x1F)
        at += size
    assert nal_types[0] == 5 and set(nal_types[1:]) == {1}

    stsd_start, stsd_end = tree[stbl + "stsd"]
    entries = mp4_boxes(content, stsd_start + 8, stsd_end)
    assert [kind for kind, _, _ in entries] == [b"avc1"]
    _, entry_start, entry_end = entries[0]
    assert struct.unpack(">HH", content[entry_start + 24 : entry_start + 28]) == (32, 32)
    avcc = mp4_boxes(content, entry_start + 78, entry_end)
    assert [kind for kind, _, _ in avcc] == [b"avcC"]


# --- GLB -----------------------------------------------------------------------------------------


def test_3d_is_a_binary_gltf_with_one_triangle() -> None:
    sample = sample_file("3d")
    assert (sample.media_type, sample.extension) == ("model/gltf-binary", "glb")
    content = sample.content
    magic, version, length = struct.unpack("<4sII", content[:12])
    assert (magic, version, length) == (b"glTF", 2, len(content))
    json_length, json_type = struct.unpack("<I4s", content[12:20])
    assert json_type == b"JSON" and json_length % 4 == 0
    document = json.loads(content[20 : 20 + json_length])
    bin_at = 20 + json_length
    bin_length, bin_type = struct.unpack("<I4s", content[bin_at : bin_at + 8])
    assert bin_type == b"BIN\x00" and bin_length % 4 == 0
    assert bin_at + 8 + bin_length == len(content)

    assert document["asset"]["version"] == "2.0"
    assert document["buffers"][0]["byteLength"] <= bin_length
    (primitive,) = document["meshes"][0]["primitives"]
    accessor = document["accessors"][primitive["attributes"]["POSITION"]]
    assert (accessor["componentType"], accessor["type"], accessor["count"]) == (5126, "VEC3", 3)
    view = document["bufferViews"][accessor["bufferView"]]
    start = bin_at + 8 + view["byteOffset"]
    points = [struct.unpack("<3f", content[start + 12 * i : start + 12 * (i + 1)]) for i in range(3)]
    for axis in range(3):
        assert accessor["min"][axis] == min(point[axis] for point in points)
        assert accessor["max"][axis] == max(point[axis] for point in points)


# --- PDF -----------------------------------------------------------------------------------------


def test_document_is_a_pdf_with_a_correct_cross_reference_table() -> None:
    sample = sample_file("document")
    assert (sample.media_type, sample.extension) == ("application/pdf", "pdf")
    content = sample.content
    assert content.startswith(b"%PDF-1.")
    assert content.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", content)[1])
    assert content[startxref:].startswith(b"xref")

    header = re.match(rb"xref\r?\n0 (\d+)\r?\n", content[startxref:])
    assert header
    count = int(header[1])
    table = content[startxref + header.end() : startxref + header.end() + 20 * count]
    entries = [table[20 * i : 20 * (i + 1)] for i in range(count)]
    assert entries[0] == b"0000000000 65535 f \n"
    for number, entry in enumerate(entries[1:], start=1):
        assert re.fullmatch(rb"\d{10} 00000 n \n", entry)
        assert content[int(entry[:10]) :].startswith(b"%d 0 obj" % number)
    assert re.search(rb"trailer\s*<<.*/Size %d.*/Root 1 0 R.*>>" % count, content, re.S)

    stream = re.search(rb"<< /Length (\d+) >>\nstream\n", content)
    assert stream
    body_end = stream.end() + int(stream[1])
    assert content[body_end:].startswith(b"endstream")
    assert b"Tj" in content[stream.end() : body_end]


# --- JSON and text -------------------------------------------------------------------------------


def test_json_loads_and_mentions_the_seed() -> None:
    sample = sample_file("json", "asset_1")
    assert (sample.media_type, sample.extension) == ("application/json", "json")
    document = json.loads(sample.content)
    assert isinstance(document, dict) and document["seed"] == "asset_1"
    assert sample_file("json", "asset_2").content != sample.content


def test_text_decodes_and_mentions_the_seed() -> None:
    sample = sample_file("text", "asset_1 ✓")
    assert sample.media_type.startswith("text/plain") and sample.extension == "txt"
    assert "asset_1 ✓" in sample.content.decode("utf-8")
    assert sample_file("text", "asset_2").content != sample.content


def test_odd_seeds_still_give_valid_text_and_json() -> None:
    for seed in ("", "\ud800", '"}\n', "x" * 500):
        json.loads(sample_file("json", seed).content)
        sample_file("text", seed).content.decode("utf-8")
        png_pixels(sample_file("image", seed).content)


# --- Decoding with FFmpeg, where it is installed -------------------------------------------------

FFPROBE = shutil.which("ffprobe")
FFMPEG = shutil.which("ffmpeg")


def ffmpeg_decoders() -> str:
    if not FFMPEG:
        return ""
    return subprocess.run([FFMPEG, "-hide_banner", "-decoders"], capture_output=True, text=True, check=False).stdout


PROBED = [
    ("video", "h264"),
    ("audio", "pcm_s16le"),
    ("image", "png"),
    pytest.param(
        "image-hdr",
        "hdr",
        marks=pytest.mark.skipif(
            not re.search(r"^\s*\S+\s+hdr\s", ffmpeg_decoders(), re.M), reason="this FFmpeg has no Radiance decoder"
        ),
    ),
]


@pytest.mark.skipif(FFPROBE is None, reason="ffprobe is not installed")
@pytest.mark.parametrize(("kind", "codec"), PROBED)
def test_ffprobe_accepts_the_file(kind: str, codec: str, tmp_path: Path) -> None:
    sample = sample_file(kind)
    path = tmp_path / f"sample.{sample.extension}"
    path.write_bytes(sample.content)
    probe = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries", "stream=codec_name", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert probe.returncode == 0 and probe.stderr == "", probe.stderr
    assert [stream["codec_name"] for stream in json.loads(probe.stdout)["streams"]] == [codec]


@pytest.mark.skipif(FFMPEG is None, reason="ffmpeg is not installed")
@pytest.mark.parametrize("kind", ["video", "audio", "image"])
def test_ffmpeg_decodes_the_file_without_errors(kind: str, tmp_path: Path) -> None:
    sample = sample_file(kind)
    path = tmp_path / f"sample.{sample.extension}"
    path.write_bytes(sample.content)
    decoded = subprocess.run(
        [FFMPEG, "-v", "error", "-xerror", "-err_detect", "explode", "-i", str(path), "-f", "framemd5", "-"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert decoded.returncode == 0 and decoded.stderr == "", decoded.stderr
    frames = [line for line in decoded.stdout.splitlines() if line and not line.startswith("#")]
    assert frames
    if kind == "video":
        assert len(frames) == 10
