"""The JSON-LD expansion of the EPCIS event hash reference implementation, reduced to what the
hash takes from it: which bare CBV words (``shipping``, ``in_transit``, ``desadv``,
``owning_party``, ``Temperature``…) are written as IRIs.

The hash reference implementation (epcis-event-hash-generator 1.9.3) expands the whole document
as JSON-LD against the GS1 EPCIS 2.0 context, keeps every expanded value that starts with
``https://ref.gs1.org/cbv`` or ``https://gs1.org/voc``, and then replaces *any* string value of
the document (wherever it sits, extensions included) by the one kept value ending in ``-value``
or ``/value``; when none or several end so, the value stays as written. This module reproduces
that without a JSON-LD processor: the term tables below are those of the GS1 context
(https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld, the copy the reference ships as
``e532647e8….jsonld``; a test holds them equal to it), and `bare_words` walks one event the way
expansion would: it knows which members take a vocabulary word (``bizStep``, ``disposition``,
the ``type`` of a source, destination or business transaction, sensor ``type``, ``exception``,
``component``, error ``reason``, persistent disposition ``set``/``unset``), which take an IRI
(where ``cbv:``/``gs1:`` compact IRIs expand) and which members expansion drops (a name neither
defined by the context nor prefixed), whose values are therefore never kept.

One difference by design: the reference collects the kept values over the whole document, so a
bare word in one event can be rewritten because of another event. Here an event's hash depends
on that event alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CBV = "https://ref.gs1.org/cbv/"
GS1 = "https://gs1.org/voc/"
KEPT = ("https://ref.gs1.org/cbv", "https://gs1.org/voc")  # the reference's filter, without the '/'

_WORDS = {
    "BizStep": """accepting arriving assembling collecting commissioning consigning creating_class_instance
        cycle_counting decommissioning departing destroying disassembling dispensing encoding entering_exiting
        holding inspecting installing killing loading other packing picking receiving removing repackaging
        repairing replacing reserving retail_selling sampling sensor_reporting shipping staging_outbound
        stock_taking stocking storing transporting unloading unpacking void_shipping""",
    "Disp": """active available completeness_verified completeness_inferred conformant container_closed
        container_open damaged destroyed dispensed disposed encoded expired in_progress in_transit inactive
        mismatch_instance mismatch_class mismatch_quantity needs_replacement no_pedigree_match non_conformant
        non_sellable_other partially_dispensed recalled reserved retail_sold returned sellable_accessible
        sellable_not_accessible stolen unavailable unknown""",
    "SDT": "owning_party possessing_party location",
    "BTT": "bol cert desadv inv pedigree po poc prodorder recadv rma testprd testres upevt",
    "ER": "did_not_occur incorrect_data",
    "Comp": """x y z axial_distance azimuth height spherical_radius polar_angle elevation_angle easting northing
        latitude longitude altitude""",
}
_MEASUREMENTS = """AbsoluteHumidity AbsorbedDose AbsorbedDoseRate Acceleration Radioactivity Altitude AmountOfSubstance
    AmountOfSubstancePerUnitVolume Angle AngularAcceleration AngularMomentum AngularVelocity Area Capacitance
    Conductance Conductivity Count Density Dimensionless DoseEquivalent DoseEquivalentRate DynamicViscosity
    ElectricCharge ElectricCurrent ElectricCurrentDensity ElectricFieldStrength Energy Exposure Force Frequency
    Illuminance Inductance Irradiance KinematicViscosity Length LinearMomentum Luminance LuminousFlux
    LuminousIntensity MagneticFlux MagneticFluxDensity MagneticVectorPotential Mass MassConcentration MassFlowRate
    MassPerAreaTime MemoryCapacity MolalityOfSolute MolarEnergy MolarMass MolarVolume Power Pressure RadiantFlux
    RadiantIntensity RelativeHumidity Resistance Resistivity SolidAngle SpecificVolume Speed SurfaceDensity
    SurfaceTension Temperature Time Torque Voltage Volume VolumeFlowRate VolumeFraction VolumetricFlux Wavenumber"""

#: Bare word -> IRI, for each member whose value is a CBV (or GS1 vocabulary) word
TERMS: dict[str, dict[str, str]] = {
    kind: {w: f"{CBV}{kind}-{w}" for w in words.split()} for kind, words in _WORDS.items()
}
TERMS["measurement"] = {w: GS1 + w for w in _MEASUREMENTS.split()}
TERMS["exception"] = {w: GS1 + w for w in ("ALARM_CONDITION", "ERROR_CONDITION")}

# How expansion reads a member: what its value is (an IRI, a vocabulary word or IRI, a literal),
# the bare words it knows, and the scope its value is read in (None: the enclosing one)
ID, VOCAB, LITERAL = "id", "vocab", "literal"
Member = tuple[str, Mapping[str, str], "Scope | None"]
Scope = dict[str, Member]
_NONE: Mapping[str, str] = {}

_GLOBAL_LITERALS = """epcis cbv cbvmda gs1 rdfs owl xsd dcterms baseURL ObjectEvent AggregationEvent TransformationEvent
    AssociationEvent TransactionEvent Collection eventTime recordTime eventTimeZoneOffset action quantity uom
    quantityList childQuantityList inputQuantityList outputQuantityList creationDate sender receiver
    instanceIdentifier schemaVersion ilmd EPCISDocument EPCISQueryDocument epcisHeader masterData vocabularyList
    epcisBody queryResults subscriptionID queryName resultsBody eventList"""
_GLOBAL_IRIS = """id eventID member certificationInfo bizLocation readPoint transformationID epcList epcClass parentID
    childEPCs inputEPCList outputEPCList children"""


def _scope(
    parent: Scope, literals: str = "", iris: str = "", words: Mapping[str, Mapping[str, str]] | None = None
) -> Scope:
    """`parent` with more members: literal ones, IRI ones, and those taking the given words."""
    scope: Scope = dict(parent)
    scope.update((name, (LITERAL, _NONE, None)) for name in literals.split())
    scope.update((name, (ID, _NONE, None)) for name in iris.split())
    scope.update((name, (VOCAB, terms, None)) for name, terms in (words or {}).items())
    return scope


def _within(scope: Scope) -> Member:
    return (LITERAL, _NONE, scope)


GLOBAL = _scope(
    {}, _GLOBAL_LITERALS, _GLOBAL_IRIS, {"type": _NONE, "bizStep": TERMS["BizStep"], "disposition": TERMS["Disp"]}
)
_SENSORS = _scope(GLOBAL, "time", "deviceID deviceMetadata rawData dataProcessingMethod", {"type": _NONE})
_SENSORS["sensorMetadata"] = _within(_scope(_SENSORS, "startTime endTime", "bizRules"))
_SENSORS["sensorReport"] = _within(
    _scope(
        _SENSORS,
        "time value stringValue booleanValue hexBinaryValue minValue maxValue meanValue sDev percRank percValue",
        "coordinateReferenceSystem microorganism chemicalSubstance uriValue",
        {"type": TERMS["measurement"], "exception": TERMS["exception"], "component": TERMS["Comp"]},
    )
)
GLOBAL.update(
    sourceList=_within(_scope(GLOBAL, "", "source", {"type": TERMS["SDT"]})),
    destinationList=_within(_scope(GLOBAL, "", "destination", {"type": TERMS["SDT"]})),
    bizTransactionList=_within(_scope(GLOBAL, "", "bizTransaction", {"type": TERMS["BTT"]})),
    persistentDisposition=_within(_scope(GLOBAL, words={"set": TERMS["Disp"], "unset": TERMS["Disp"]})),
    sensorElementList=_within(_SENSORS),
    errorDeclaration=_within(_scope(GLOBAL, "declarationTime", "correctiveEventIDs", {"reason": TERMS["ER"]})),
)
_KEYWORDS: Scope = {"@id": (ID, _NONE, None), "@type": (VOCAB, _NONE, None), "@value": (LITERAL, _NONE, None)}
_GEN_DELIMS = frozenset(":/?#[]@")
_TERMS = {"cbv": CBV, "gs1": GS1}  # the context's own terms whose IRIs are kept (the others name EPCIS terms)


def bare_words(event: Mapping[str, Any], namespaces: Mapping[str, str]) -> dict[str, str | None]:
    """For each string that the reference would rewrite in this event, the IRI it becomes (None
    where two or more kept IRIs end in it, which leaves it as written)."""
    kept: set[str] = set()
    collect(event, (LITERAL, _NONE, None), GLOBAL, namespaces, kept_prefixes(namespaces), kept)
    rewrites: dict[str, str | None] = {}
    for iri in kept:
        for i, char in enumerate(iri):
            if char == "-" or char == "/":
                tail = iri[i + 1 :]
                rewrites[tail] = None if tail in rewrites else iri  # an IRI ends in a given tail once
    return rewrites


def kept_prefixes(namespaces: Mapping[str, str]) -> dict[str, str]:
    """The prefixes of compact IRIs: the GS1 context's ``cbv`` and ``gs1`` (the others name no
    kept IRI) and the document's own, where their IRI ends as a JSON-LD 1.1 prefix must."""
    prefixes = dict(_TERMS)
    prefixes.update((p, uri) for p, uri in namespaces.items() if uri and uri[-1] in _GEN_DELIMS)
    return prefixes


def collect(
    value: Any,
    member: Member,
    scope: Scope,
    namespaces: Mapping[str, str],
    prefixes: Mapping[str, str],
    kept: set[str],
) -> None:
    """Add to `kept` the IRIs and strings expansion would give for `value`, the value of a
    member read as `member` inside `scope`."""
    if isinstance(value, str):
        kind, words, _ = member
        if kind == LITERAL:
            iri = value
        else:
            iri = words.get(value) or _expand(value, kind == VOCAB, namespaces, prefixes)
        if iri.startswith(KEPT):
            kept.add(iri)
    elif isinstance(value, Mapping):
        for name, inner in value.items():
            definition = scope.get(name) or _KEYWORDS.get(name)
            if definition is None:
                if ":" not in name or name.startswith("@"):
                    continue  # expansion drops a member it cannot make an IRI of
                definition = (LITERAL, _NONE, None)
            collect(inner, definition, definition[2] or scope, namespaces, prefixes, kept)
    elif isinstance(value, (list, tuple)):
        for item in value:
            collect(item, member, scope, namespaces, prefixes, kept)


def _expand(value: str, vocab: bool, namespaces: Mapping[str, str], prefixes: Mapping[str, str]) -> str:
    """The IRI of `value` in an IRI position: a term of the context (vocabulary positions only),
    a compact IRI, or the value itself (absolute, or relative to no base)."""
    if vocab:
        term = _TERMS.get(value) or namespaces.get(value)
        if term:
            return term
    prefix, colon, rest = value.partition(":")
    if colon and not rest.startswith("//") and prefix in prefixes:
        return prefixes[prefix] + rest
    return value
