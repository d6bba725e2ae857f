"""`onegrid-ctl attach CASE FILE… --step handled` and `onegrid-ctl photos CASE`: photos as evidence from
the command line, through the same store and upload queue as the console (`app.photos`), so a photo
attached while the server is down is sent by the next `sync`, before the command that names it.

With `--note` (handled, verification passed) or `--reason` (verification failed) the step's command is
issued too, naming the photos just attached; without, the photos are attached to the step alone.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from app.cli.common import CliError, load_session, open_cache
from app.photos import PhotoRefused, PhotoStore, Step
from app.platform.enums import Action

log = logging.getLogger(__name__)

STEP_ACTIONS = {Step.HANDLED: Action.REPORT_HANDLED, Step.VERIFY_PASS: Action.VERIFY_PASS,
                Step.VERIFY_FAIL: Action.VERIFY_FAIL}


def cmd_attach(args, issue, find_case, sync) -> int:
    session = load_session(args)
    cache = open_cache(args)
    case_id = find_case(cache, args.case)
    step = Step(args.step)
    store = PhotoStore(cache.directory)
    attached = []
    try:
        for name in args.files:
            path = Path(name).expanduser()
            if not path.is_file():
                raise CliError(f"{name}: no such file")
            try:
                photo = store.add(case_id, step, path, added_by=session.get("username", ""))
            except PhotoRefused as exc:
                raise CliError(f"{name} refused ({exc.reason}): {exc.message}") from None
            attached.append(photo)
            where = f", taken at {photo.lat:.5f},{photo.lon:.5f}" if photo.has_location else ""
            size = f"{photo.width}×{photo.height}" if photo.width else photo.mime
            print(f"attached {path.name} to {step} ({size}{where}): {photo.sha256[:12]}")
    finally:
        store.close()
    hashes = [p.sha256 for p in attached]
    if args.note is not None or args.reason is not None:
        if step not in STEP_ACTIONS:
            raise CliError(f"--note/--reason issue the step's command; step '{step}' has none here")
        action = STEP_ACTIONS[step]
        payload = {"attachments": hashes}
        if action == Action.VERIFY_FAIL:
            if not args.reason:
                raise CliError("verification failed needs --reason")
            payload["reason"] = args.reason
        else:
            payload["note"] = args.note or ""
        return issue(args, action, str(case_id), payload)
    if args.offline or not args.server:
        print(f"offline: {len(hashes)} photo(s) wait for 'sync'", file=sys.stderr)
        return 0
    return sync(args)  # the one sync command (`app.cli.main`, given by it): uploads photos first


def cmd_photos(args, find_case) -> int:
    cache = open_cache(args)
    case_id = find_case(cache, args.case)
    store = PhotoStore(cache.directory)
    try:
        photos = store.photos_for_case(case_id)
        failed = {(p.case_id, p.step, p.sha256) for p in store.failed_uploads()}
    finally:
        store.close()
    if args.json:
        json.dump([{"sha256": p.sha256, "step": str(p.step), "mime": p.mime, "size": p.size, "width": p.width,
                    "height": p.height, "lat": p.lat, "lon": p.lon, "upload": str(p.upload), "reason": p.reason,
                    "filename": p.filename} for p in photos], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for p in photos:
        refused = f"  REFUSED: {p.reason}" if (p.case_id, p.step, p.sha256) in failed else ""
        print(f"{p.step:<12} {p.sha256[:12]} {p.filename[:30]:<30} {p.size:>9} B  {p.upload}{refused}")
    return 0


def add_commands(sub: argparse._SubParsersAction, issue, find_case, sync) -> None:
    p = sub.add_parser("attach", help="attach photos (JPEG, PNG, HEIC; short videos and PDFs) to a step of a case")
    p.add_argument("case", help="number, provisional number, UUID or UUID prefix")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--step", required=True, choices=[str(s) for s in Step])
    p.add_argument("--note", help="also report the step (handled, verify_pass) with this note and these photos")
    p.add_argument("--reason", help="also report a failed verification with this reason and these photos")
    p.set_defaults(func=lambda a: cmd_attach(a, issue, find_case, sync))
    p = sub.add_parser("photos", help="the photos of a case on this console, by step, with their upload state")
    p.add_argument("case", help="number, provisional number, UUID or UUID prefix")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=lambda a: cmd_photos(a, find_case))
