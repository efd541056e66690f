#!/usr/bin/env python3
"""Writes scenarios/README.md, the library's index, from the lessons' titles and takeaways.

A test fails when the index misses a lesson or shows a stale title or takeaway; run this
script, then read the diff before committing it.
"""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent / "scenarios"

TOPICS = {
    "routing": "Effective routes: system routes, UDRs, BGP, peering, gateways, reserved ranges.",
    "private-endpoint": "Private endpoints: the /32, network policies, NSGs, the name the client uses.",
    "dns": "Name resolution: private zones and links, custom DNS servers, fallback to the Internet.",
    "firewall": "Azure Firewall and appliances: rules, SNAT, asymmetric returns, inbound publishing.",
    "nsg": "Network security groups: order, service tags, stateful flows.",
    "virtual-wan": "Virtual WAN: hub routing, routing intent, hub-to-hub.",
    "app-service": "App Service regional VNet integration.",
    "apim": "API Management in a virtual network.",
    "ai-foundry": "Whole layouts built from the pieces above.",
}


def field(text: str, name: str) -> str:
    m = re.search(r'^\s*' + name + r': "((?:[^"\\]|\\.)*)"', text, re.M)
    return m.group(1) if m else ""


lines = [
    "# The scenario library",
    "",
    "Each lesson is a RON file: a story (what people saw, what they assumed, what was really",
    "happening), a topology, questions with the answers Azure gives, and the Microsoft Learn pages",
    "those answers rest on. Run one as a lesson with `azpath explain FILE`; run them all as tests",
    "with `azpath test`. Every lesson's rendered explanation is a reviewed snapshot under",
    "`snapshots/`.",
    "",
    "For a class: open the file, read the story and the topology, ask the class where the packet",
    "goes (or what the client sees), then run `azpath explain` and walk through the narrative.",
    "",
]
for topic, blurb in TOPICS.items():
    # A lesson's fixed variants (`fixes/`) follow the lessons they extend.
    files = sorted((root / topic).glob("*.ron")) + sorted((root / topic).glob("fixes/*.ron"))
    if not files:
        continue
    lines += [f"## {topic}", "", blurb, "", "| lesson | takeaway |", "| --- | --- |"]
    for f in files:
        text = f.read_text()
        rel = f.relative_to(root).as_posix()
        title = field(text, "title")
        takeaway = field(text, "takeaway")
        lines.append(f"| [{title}]({rel}) | {takeaway} |")
    lines.append("")
(root / "README.md").write_text("\n".join(lines))
