"""Small, valid sample files for the outputs of simulated jobs.

The fake hands out asset URLs; downloading one returns a real file of the asset's kind, so client download
code, and tools that sniff or decode files, work offline. Every file is generated here with the standard
library only and cached:

- ``image``: a 64x64 RGB PNG whose colour follows the seed;
- ``image-hdr``: a 16x16 Radiance picture (``32-bit_rle_rgbe``, flat scanlines);
- ``audio``: a quarter of a second of a 440 Hz tone, 16-bit mono PCM WAV;
- ``video``: a one-second, 32x32, 10 fps H.264 (constrained baseline) MP4: one intra frame of PCM
  macroblocks, then frames of skipped macroblocks;
- ``3d``: a binary glTF 2.0 (GLB) holding one triangle;
- ``document``: a one-page PDF with a line of text;
- ``json`` and ``text``: a small JSON object and a line of UTF-8 text that mention the seed.

The seed only changes what is cheap to change (the PNG's colour, the JSON and the text); the same
``(kind, seed)`` always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct
import wave
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["KINDS", "SampleFile", "sample_file"]


@dataclass(frozen=True)
class SampleFile:
    content: bytes
    media_type: str
    extension: str  # without the dot


KINDS: tuple[str, ...] = ("3d", "audio", "document", "image", "image-hdr", "json", "text", "video")

SEEDED_KINDS: frozenset[str] = frozenset({"image", "json", "text"})


def sample_file(kind: str, seed: str = "") -> SampleFile:
    """A small valid file of ``kind`` (one of :data:`KINDS`); ``seed`` varies it where that is cheap."""
    if kind not in _BUILDERS:
        raise ValueError(f"unknown sample kind {kind!r}; expected one of {', '.join(KINDS)}")
    return _cached(kind, seed if kind in SEEDED_KINDS else "")


@lru_cache(maxsize=512)
def _cached(kind: str, seed: str) -> SampleFile:
    return _BUILDERS[kind](seed)


def _seed_bytes(seed: str) -> bytes:
    return hashlib.sha256(seed.encode("utf-8", "surrogatepass")).digest()


# --- PNG -----------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_SIZE = 64


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _seed_colour(seed: str) -> tuple[int, int, int]:
    digest = _seed_bytes(seed)
    # Keep every channel in a middle band so a lighter diagonal stripe stays visible.
    return 48 + digest[0] * 160 // 255, 48 + digest[1] * 160 // 255, 48 + digest[2] * 160 // 255


def _png(seed: str) -> SampleFile:
    red, green, blue = _seed_colour(seed)
    rows = bytearray()
    for y in range(PNG_SIZE):
        rows.append(0)  # filter type: none
        for x in range(PNG_SIZE):
            if abs(x - y) < 4:
                rows += bytes((min(red + 40, 255), min(green + 40, 255), min(blue + 40, 255)))
            else:
                rows += bytes((red, green, blue))
    header = struct.pack(">IIBBBBB", PNG_SIZE, PNG_SIZE, 8, 2, 0, 0, 0)  # 8-bit truecolour
    content = (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _png_chunk(b"IEND", b"")
    )
    return SampleFile(content, "image/png", "png")


# --- Radiance HDR --------------------------------------------------------------------------------

HDR_SIZE = 16


def _hdr(_seed: str) -> SampleFile:
    header = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\nEXPOSURE=1.0\n\n" + f"-Y {HDR_SIZE} +X {HDR_SIZE}\n".encode()
    pixels = bytearray()
    for y in range(HDR_SIZE):
        for x in range(HDR_SIZE):
            # Exponent 129: mantissas of 128..255 stand for 1.0..2.0, beyond what an 8-bit image holds.
            # The red mantissa never drops below 128, so no scanline opens like a run-length record.
            pixels += bytes((128 + x * 8, 64 + y * 8, 96, 129))
    return SampleFile(header + bytes(pixels), "image/vnd.radiance", "hdr")


# --- WAV -----------------------------------------------------------------------------------------

WAV_RATE = 8000
WAV_SECONDS = 0.25
WAV_TONE_HZ = 440.0


def _wav(_seed: str) -> SampleFile:
    count = int(WAV_RATE * WAV_SECONDS)
    fade = WAV_RATE // 100  # 10 ms in and out, so the tone starts and stops without a click
    frames = bytearray()
    for n in range(count):
        envelope = min(1.0, n / fade, (count - 1 - n) / fade)
        frames += struct.pack("<h", round(12000 * envelope * math.sin(2 * math.pi * WAV_TONE_HZ * n / WAV_RATE)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(WAV_RATE)
        out.writeframes(bytes(frames))
    return SampleFile(buffer.getvalue(), "audio/wav", "wav")


# --- H.264 in MP4 --------------------------------------------------------------------------------

VIDEO_MBS = 2  # macroblocks across and down: 32x32 pixels
VIDEO_SIZE = VIDEO_MBS * 16
VIDEO_FPS = 10
VIDEO_FRAMES = 10
VIDEO_TIMESCALE = 1000
VIDEO_YUV = (81, 90, 240)  # BT.601 studio-range red


class _Bits:
    """An RBSP writer: fixed-width fields and Exp-Golomb codes, most significant bit first."""

    def __init__(self) -> None:
        self._bits: list[int] = []

    def u(self, width: int, value: int) -> None:
        self._bits.extend((value >> (width - 1 - i)) & 1 for i in range(width))

    def ue(self, value: int) -> None:
        code = value + 1
        self.u(2 * code.bit_length() - 1, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align_zero(self) -> None:
        while len(self._bits) % 8:
            self._bits.append(0)

    def raw(self, data: bytes) -> None:
        assert len(self._bits) % 8 == 0
        for byte in data:
            self.u(8, byte)

    def trailing(self) -> bytes:
        self._bits.append(1)
        self.align_zero()
        return bytes(int("".join(map(str, self._bits[i : i + 8])), 2) for i in range(0, len(self._bits), 8))


def _nal(header: int, rbsp: bytes) -> bytes:
    """A NAL unit with emulation-prevention bytes inserted into its payload."""
    out = bytearray((header,))
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def _h264_sps() -> bytes:
    bits = _Bits()
    bits.u(8, 66)  # profile_idc: baseline
    bits.u(8, 0b11000000)  # constraint_set0 and constraint_set1: constrained baseline
    bits.u(8, 10)  # level_idc 1.0
    bits.ue(0)  # seq_parameter_set_id
    bits.ue(0)  # log2_max_frame_num_minus4
    bits.ue(2)  # pic_order_cnt_type: output order follows decoding order
    bits.ue(1)  # max_num_ref_frames
    bits.u(1, 0)  # gaps_in_frame_num_value_allowed_flag
    bits.ue(VIDEO_MBS - 1)  # pic_width_in_mbs_minus1
    bits.ue(VIDEO_MBS - 1)  # pic_height_in_map_units_minus1
    bits.u(1, 1)  # frame_mbs_only_flag
    bits.u(1, 1)  # direct_8x8_inference_flag
    bits.u(1, 0)  # frame_cropping_flag
    bits.u(1, 0)  # vui_parameters_present_flag
    return _nal(0x67, bits.trailing())


def _h264_pps() -> bytes:
    bits = _Bits()
    bits.ue(0)  # pic_parameter_set_id
    bits.ue(0)  # seq_parameter_set_id
    bits.u(1, 0)  # entropy_coding_mode_flag: CAVLC
    bits.u(1, 0)  # bottom_field_pic_order_in_frame_present_flag
    bits.ue(0)  # num_slice_groups_minus1
    bits.ue(0)  # num_ref_idx_l0_default_active_minus1
    bits.ue(0)  # num_ref_idx_l1_default_active_minus1
    bits.u(1, 0)  # weighted_pred_flag
    bits.u(2, 0)  # weighted_bipred_idc
    bits.se(0)  # pic_init_qp_minus26
    bits.se(0)  # pic_init_qs_minus26
    bits.se(0)  # chroma_qp_index_offset
    bits.u(1, 0)  # deblocking_filter_control_present_flag
    bits.u(1, 0)  # constrained_intra_pred_flag
    bits.u(1, 0)  # redundant_pic_cnt_present_flag
    return _nal(0x68, bits.trailing())


def _h264_idr() -> bytes:
    """An IDR picture made of I_PCM macroblocks, which carry raw samples."""
    luma, cb, cr = VIDEO_YUV
    samples = bytes((luma,)) * 256 + bytes((cb,)) * 64 + bytes((cr,)) * 64
    bits = _Bits()
    bits.ue(0)  # first_mb_in_slice
    bits.ue(7)  # slice_type: I, as every slice of the picture
    bits.ue(0)  # pic_parameter_set_id
    bits.u(4, 0)  # frame_num
    bits.ue(0)  # idr_pic_id
    bits.u(1, 0)  # no_output_of_prior_pics_flag
    bits.u(1, 0)  # long_term_reference_flag
    bits.se(0)  # slice_qp_delta
    for _ in range(VIDEO_MBS * VIDEO_MBS):
        bits.ue(25)  # mb_type: I_PCM
        bits.align_zero()  # pcm_alignment_zero_bit
        bits.raw(samples)
    return _nal(0x65, bits.trailing())


def _h264_skipped(frame_num: int) -> bytes:
    """A reference P picture whose macroblocks are all skipped: a copy of the previous frame."""
    bits = _Bits()
    bits.ue(0)  # first_mb_in_slice
    bits.ue(5)  # slice_type: P, as every slice of the picture
    bits.ue(0)  # pic_parameter_set_id
    bits.u(4, frame_num % 16)  # frame_num
    bits.u(1, 0)  # num_ref_idx_active_override_flag
    bits.u(1, 0)  # ref_pic_list_modification_flag_l0
    bits.u(1, 0)  # adaptive_ref_pic_marking_mode_flag
    bits.se(0)  # slice_qp_delta
    bits.ue(VIDEO_MBS * VIDEO_MBS)  # mb_skip_run
    return _nal(0x41, bits.trailing())


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *parts)


_MATRIX = struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)


def _mp4_moov(sps: bytes, pps: bytes, sizes: list[int], data_offset: int) -> bytes:
    duration = VIDEO_FRAMES * VIDEO_TIMESCALE // VIDEO_FPS
    mvhd = _full_box(
        b"mvhd", 0, 0,
        struct.pack(">IIII", 0, 0, VIDEO_TIMESCALE, duration),
        struct.pack(">IH", 0x00010000, 0x0100), bytes(10), _MATRIX, bytes(24), struct.pack(">I", 2),
    )  # fmt: skip
    tkhd = _full_box(
        b"tkhd", 0, 0x3,  # enabled, in movie
        struct.pack(">IIIII", 0, 0, 1, 0, duration), bytes(8), struct.pack(">hhhH", 0, 0, 0, 0), _MATRIX,
        struct.pack(">II", VIDEO_SIZE << 16, VIDEO_SIZE << 16),
    )  # fmt: skip
    mdhd = _full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, VIDEO_TIMESCALE, duration, 0x55C4, 0))  # "und"
    hdlr = _full_box(b"hdlr", 0, 0, struct.pack(">I", 0), b"vide", bytes(12), b"VideoHandler\x00")
    avcc = _box(
        b"avcC",
        bytes((1, sps[1], sps[2], sps[3], 0xFF, 0xE1)), struct.pack(">H", len(sps)), sps,
        bytes((1,)), struct.pack(">H", len(pps)), pps,
    )  # fmt: skip
    avc1 = _box(
        b"avc1",
        bytes(6), struct.pack(">H", 1),  # data_reference_index
        bytes(16), struct.pack(">HH", VIDEO_SIZE, VIDEO_SIZE),
        struct.pack(">III", 0x00480000, 0x00480000, 0), struct.pack(">H", 1),  # 72 dpi, one frame a sample
        bytes(32), struct.pack(">Hh", 0x0018, -1),
        avcc,
    )  # fmt: skip
    stbl = _box(
        b"stbl",
        _full_box(b"stsd", 0, 0, struct.pack(">I", 1), avc1),
        _full_box(b"stts", 0, 0, struct.pack(">III", 1, len(sizes), VIDEO_TIMESCALE // VIDEO_FPS)),
        _full_box(b"stss", 0, 0, struct.pack(">II", 1, 1)),
        _full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, len(sizes), 1)),
        _full_box(b"stsz", 0, 0, struct.pack(">II", 0, len(sizes)), struct.pack(f">{len(sizes)}I", *sizes)),
        _full_box(b"stco", 0, 0, struct.pack(">II", 1, data_offset)),
    )
    minf = _box(
        b"minf",
        _full_box(b"vmhd", 0, 1, bytes(8)),
        _box(b"dinf", _full_box(b"dref", 0, 0, struct.pack(">I", 1), _full_box(b"url ", 0, 1))),
        stbl,
    )
    trak = _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf))
    return _box(b"moov", mvhd, trak)


def _mp4(_seed: str) -> SampleFile:
    sps, pps = _h264_sps(), _h264_pps()
    nals = [_h264_idr()] + [_h264_skipped(n) for n in range(1, VIDEO_FRAMES)]
    samples = [struct.pack(">I", len(nal)) + nal for nal in nals]
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isom", b"iso2", b"avc1", b"mp41")
    sizes = [len(sample) for sample in samples]
    moov_size = len(_mp4_moov(sps, pps, sizes, 0))
    moov = _mp4_moov(sps, pps, sizes, len(ftyp) + moov_size + 8)
    content = ftyp + moov + _box(b"mdat", *samples)
    return SampleFile(content, "video/mp4", "mp4")


# --- Binary glTF ---------------------------------------------------------------------------------

GLB_MAGIC = b"glTF"


def _glb(_seed: str) -> SampleFile:
    positions = ((0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0))
    binary = b"".join(struct.pack("<3f", *point) for point in positions)
    document = {
        "asset": {"version": "2.0", "generator": "scenario-mockserver"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "mode": 4}]}],
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(binary), "target": 34962}],
        "accessors": [
            {
                "bufferView": 0,
                "byteOffset": 0,
                "componentType": 5126,  # FLOAT
                "count": len(positions),
                "type": "VEC3",
                "min": [min(point[i] for point in positions) for i in range(3)],
                "max": [max(point[i] for point in positions) for i in range(3)],
            }
        ],
    }
    text = json.dumps(document, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    binary += bytes(-len(binary) % 4)
    chunks = struct.pack("<I", len(text)) + b"JSON" + text + struct.pack("<I", len(binary)) + b"BIN\x00" + binary
    content = GLB_MAGIC + struct.pack("<II", 2, 12 + len(chunks)) + chunks
    return SampleFile(content, "model/gltf-binary", "glb")


# --- PDF -----------------------------------------------------------------------------------------


def _pdf(_seed: str) -> SampleFile:
    stream = b"BT /F1 18 Tf 72 720 Td (Scenario sample document) Tj ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return SampleFile(bytes(out), "application/pdf", "pdf")


# --- JSON and text -------------------------------------------------------------------------------


def _json(seed: str) -> SampleFile:
    digest = _seed_bytes(seed)
    document = {"kind": "sample", "seed": seed, "value": int.from_bytes(digest[:4], "big"), "ok": True}
    content = (json.dumps(document, sort_keys=True) + "\n").encode("ascii")
    return SampleFile(content, "application/json", "json")


def _text(seed: str) -> SampleFile:
    line = f"Sample text output ({seed})\n" if seed else "Sample text output\n"
    return SampleFile(line.encode("utf-8", "replace"), "text/plain; charset=utf-8", "txt")


_BUILDERS: dict[str, Callable[[str], SampleFile]] = {
    "3d": _glb,
    "audio": _wav,
    "document": _pdf,
    "image": _png,
    "image-hdr": _hdr,
    "json": _json,
    "text": _text,
    "video": _mp4,
}
