"""Reads a Relais server's Open311 front door with `georeport`, a GeoReport v2 client from PyPI
written for other cities' servers, after filing a request with `requests` (georeport only reads).
Usage: open311_interop.py ROOT_URL API_KEY. Prints one line per check and a closing count."""

import sys

import requests
from georeport import GeoReport

root, key = sys.argv[1], sys.argv[2]
checks = {"passed": 0, "failed": 0}


def check(what, condition):
    checks["passed" if condition else "failed"] += 1
    print(("ok   " if condition else "FAIL ") + what)


filed = requests.post(
    f"{root}/requests.json",
    data={
        "api_key": key,
        "jurisdiction_id": "demo",
        "service_code": "objets_abandonnes_autre",
        "lat": "48.8566",
        "long": "2.3522",
        "description": "Canapé abandonné devant l'Hôtel de Ville",
        "attribute[type_objet]": "meuble",
    },
)
check("POST requests.json is accepted", filed.status_code == 200)
request_id = filed.json()[0]["service_request_id"]

for output_format in ("json", "xml"):
    client = GeoReport(root, jurisdiction="demo", output_format=output_format)
    services = client.get_service_list()
    codes = [service["service_code"] for service in services]
    check(f"{output_format}: the service list holds the town's categories",
          "objets_abandonnes_autre" in codes and len(codes) > 100)
    definition = client.get_service_definition("objets_abandonnes_autre")
    attributes = definition["attributes"]
    if output_format == "xml":
        attributes = attributes["attribute"]
        attributes = attributes if isinstance(attributes, list) else [attributes]
    question = attributes[0]
    values = question["values"]
    if output_format == "xml":
        values = values["value"]
    check(f"{output_format}: a question is a singlevaluelist attribute with its options",
          question["code"] == "type_objet" and question["datatype"] == "singlevaluelist"
          and any(v["key"] == "meuble" for v in values))
    open_requests = client.get_service_requests(status="open")
    open_requests = open_requests if isinstance(open_requests, list) else [open_requests]
    check(f"{output_format}: the filed request is listed as open",
          any(r["service_request_id"] == request_id for r in open_requests))
    if output_format == "json":
        check("json: no closed request yet", client.get_service_requests(status="closed") == [])
    else:
        # An empty list is an empty <service_requests/>, which georeport's XML reading (through
        # xmltodict) cannot index: read that one directly.
        empty = requests.get(f"{root}/requests.xml",
                             params={"jurisdiction_id": "demo", "status": "closed"})
        check("xml: no closed request yet", empty.status_code == 200
              and empty.text.rstrip().endswith("<service_requests/>"))
    request = client.get_service_request(request_id)
    check(f"{output_format}: the request reads back with its fields",
          request["status"] == "open" and request["service_code"] == "objets_abandonnes_autre"
          and request["description"] == "Canapé abandonné devant l'Hôtel de Ville"
          and float(request["lat"]) == 48.8566 and float(request["long"]) == 2.3522)

print(f"{checks['passed']} passed, {checks['failed']} failed")
sys.exit(1 if checks["failed"] else 0)
