#!/usr/bin/env python3
"""Regenerate the demo-town seed in server/seed/demo/ from Ville de Paris open data.

Only needed to *regenerate* the seed: the generated files (zones.geojson, tenant.json) are
committed and the server never runs this script. It needs the project's shared data directory,
which users of Relais do not have: by default ``../shared/data`` next to the repository root
(i.e. ``<repo>/../shared/data``), or the directory given as the first argument. It reads:

- ``paris_arrondissements.geojson``: the 20 arrondissements (ODbL 1.0, Ville de Paris);
- ``paris_quartiers_administratifs.geojson``: the 80 quartiers administratifs (ODbL 1.0, Ville de
  Paris), with their INSEE code ``c_quinsee`` and their arrondissement ``c_ar``;
- ``paris_dansmarue_39k_merged.csv``: real "Dans ma rue" reports (ODbL 1.0, Ville de Paris),
  used for its (type, soustype) pairs, their frequencies, the services in charge ("intervenant")
  and the reports' points (for routing by zone).

Outputs (the format is described in server/seed/README.md):

- ``server/seed/demo/zones.geojson``: two zone levels, the 20 arrondissements then the 80
  quartiers, each sorted by code; properties exactly {code, name, kind, parent}. Arrondissements:
  INSEE code (75101...75120), ``parent`` null. Quartiers: the source's INSEE quartier code
  ``c_quinsee`` (arrondissement code + two-digit rank, 7510101...7512004), the source's name
  (nine corrected to the official spelling, QUARTIER_NAMES), ``parent`` = the arrondissement of
  the source's ``c_ar``, checked against geometry: a point inside the quartier lies in that
  arrondissement and in no other, and the quartiers' areas add up to their arrondissement's.
  Geometry unchanged except coordinates rounded to 6 decimals (consecutive duplicate vertices this
  creates are dropped).
- ``server/seed/demo/tenant.json``: the demo tenant's catalogue. One group per CSV ``type``,
  one category per (type, soustype) pair seen at least MIN_COUNT times (French name = the CSV
  wording, English name = the hand-written translation in CATEGORIES below), plus one catch-all
  ``<group>_autre`` category per group (``source.soustype`` null) so that every CSV row maps to
  exactly one category. Each category's ``service`` is its default service. Then:

  - ``routing``: {category, zone, service} entries, "reports of this category inside this zone
    (of any level) go to this service instead of the category's default", from ROUTING_RULES;
  - ``rejection_reasons``: the town's managed list, {code, label{fr,en}} (REJECTION_REASONS);
  - ``reply_templates``: drafts of written replies, {kind, group, category, text{fr,en}}
    (REPLY_TEMPLATES): a town default per kind (group and category null) and variants for the
    six most frequent groups (acknowledged, resolved) and two categories.

Routing derivation. In the CSV the unit in charge is, for almost every category, the same
everywhere: DPE-STPP (cleanliness), Ramen (bulky items), "graffitis" (the graffiti contractor),
DPMP (police), DVD (roads), CIELIS (lighting)... The exception the data shows is the parks
department (DEVE), which handled 290 reports, 115 of them filed in the 12th arrondissement (of
2,122 there), 27 in the 16th (of 1,651): the two woods. By the arrondissement field, in the 12th
DEVE handled 19 of the 25 "Autre mobilier urbain détérioré" reports, 13 of the 25 "Mobiliers
urbains : Autre" and 4 of the 5 "Potelet, barrière ou garde-corps détérioré - analyse demandée";
outside the 12th the roads department (DVD) handled 71 of 79 and 39 of 39, and 25 of the 134
catch-all reports (the most frequent unit of that mixed category). Located by their point, in
the two quartiers that contain the Bois de Vincennes DEVE handled: Bel-Air 16 of 20, 6 of 8, 3 of
3; Picpus 3 of 5, 7 of 14, 1 of 1 (together 19 of 25, 13 of 22, 4 of 4); in the 12th's other two
quartiers, Bercy and Quinze-Vingts, none of their 4 reports. Hence routing at the quartier level:
6 entries (3 categories x Bel-Air, Picpus) to one new service, "Espaces verts – bois de
Vincennes". The quartiers are coarser than the wood (they also hold streets), and the figures
above count their whole area. Not modelled, because the data does not support them: the Bois de
Boulogne (DEVE handled 22 of the 60 reports of the "Bois de Boulogne" conseil de quartier, spread
over 14 categories; in the quartiers Auteuil, Muette and Porte-Dauphine that contain it, no category
passes the rule used for Vincennes, at least 4 reports of which DEVE handled half: the closest
are 2 of 7 ring-road cleanliness reports and 4 of 22 cleanliness patrols, and DEVE handled 4 of
89 "Déchets et salissures divers");
cleanliness contractors by sector (the CSV names one unit per category for all of Paris: the 156
reports of the three glass-bank categories all went to Derichebourg, 10,626 of 10,629 bulky items
to Ramen); the police's "enquête demandée" reports (many in the 9th), which depend on the
subtype, not the place. build_routing() re-checks every rule against the CSV (see ROUTING_RULES)
and prints the figures.

The script fails (assertion) if the CSV gains a frequent pair that CATEGORIES does not translate;
if a code (group, category, service, rejection reason) is not unique or not a slug of at most 48
characters; if a zone code is not unique, a quartier's parent disagrees with geometry or the
quartiers do not tile their arrondissement; if a routing entry names an unknown category, zone or
service, or its category's default service, or is not supported by the CSV; if a reply template
uses a placeholder other than {category}, {service}, {response_days}, and {date} (scheduled only),
{reason} (rejected only), {original} (duplicate only), lacks its kind's own placeholder, uses
different placeholders in French and English, is not signed by the town, or if a kind has no town
default. Output is deterministic (same input, same bytes). Standard library only; Python 3.8+.
"""

import collections
import csv
import json
import re
import sys
from pathlib import Path

MIN_COUNT = 20
REPO = Path(__file__).resolve().parents[3]
OUT = REPO / "server" / "seed" / "demo"
CODE_RE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")

# Services a citizen can recognise. The mapping below follows the dominant "intervenant" of
# each category in the CSV (DPE-STPP / Ramen / graffitis / Trilib' / Derichebourg -> cleanliness,
# DVD / SMEP -> roads, DEVE / DASES -> parks and environment, CIELIS -> lighting and traffic
# signals, DPMP -> municipal police, EPHYRA / Eau de Paris -> water).
SERVICES = [
    ("proprete", "Propreté et déchets", "Street Cleaning and Waste"),
    ("voirie", "Voirie et déplacements", "Roads and Mobility"),
    ("espaces_verts", "Espaces verts et environnement", "Parks and Environment"),
    ("eclairage_public", "Éclairage public et feux tricolores", "Street Lighting and Traffic Signals"),
    ("eau", "Eau et assainissement", "Water and Sanitation"),
    ("police_municipale", "Police municipale", "Municipal Police"),
    # Added for routing by zone (see ROUTING below): the parks department's staff in the Bois de
    # Vincennes, who handle the wood's street furniture instead of the roads department.
    ("bois_de_vincennes", "Espaces verts – bois de Vincennes", "Parks – Bois de Vincennes"),
]

# CSV type -> (group code, English name, service of the group's catch-all category).
# The French group name is the CSV's own type.
GROUPS = {
    "Objets abandonnés": ("objets_abandonnes", "Abandoned items", "proprete"),
    "Graffitis, tags, affiches et autocollants": (
        "graffitis_tags_affiches_autocollants", "Graffiti, tags, posters and stickers", "proprete"),
    "Propreté": ("proprete", "Cleanliness", "proprete"),
    "Autos, motos, vélos, trottinettes...": (
        "autos_motos_velos_trottinettes", "Cars, motorbikes, bicycles, scooters...", "police_municipale"),
    "Voirie et espace public": ("voirie_espace_public", "Roads and public space", "voirie"),
    "Mobiliers urbains": ("mobiliers_urbains", "Street furniture", "voirie"),
    "Activités commerciales et professionnelles": (
        "activites_commerciales_professionnelles", "Commercial and business activities",
        "police_municipale"),
    "Arbres, végétaux et animaux": ("arbres_vegetaux_animaux", "Trees, plants and animals", "espaces_verts"),
    "Éclairage / Électricité": ("eclairage_electricite", "Lighting / Electricity", "eclairage_public"),
    "Eau": ("eau", "Water", "eau"),
}

ACT = "Activités commerciales et professionnelles"
ARB = "Arbres, végétaux et animaux"
AUT = "Autos, motos, vélos, trottinettes..."
EAU = "Eau"
GRA = "Graffitis, tags, affiches et autocollants"
MOB = "Mobiliers urbains"
OBJ = "Objets abandonnés"
PRO = "Propreté"
VOI = "Voirie et espace public"
ECL = "Éclairage / Électricité"

RS = "[Reserved for DPE-STPP staff] "
RF = "[Reserved for DPE-FONCTIONNELLE staff] "
AF = "Posters, stickers or graffiti on street furniture: "
CW = "Cleanliness of waste collection equipment: "
GC = "Ground cleanliness: "
WC = "Waste collection: "

# (type, exact soustype) -> (code, English name, service). Codes are derived from the French
# names (accents removed, minor words dropped) and must stay stable: reports reference them.
CATEGORIES = {
    # Activités commerciales et professionnelles
    (ACT, "Étalages et terrasses à usage commercial : Gêne à la circulation / Étalage excessif"): (
        "etalage_terrasse_gene_circulation_excessif",
        "Shop displays and café terraces: obstructing the way / excessive display", "police_municipale"),
    (ACT, "Étalages et terrasses à usage commercial : Nuisance sonore"): (
        "etalage_terrasse_nuisance_sonore", "Shop displays and café terraces: noise nuisance",
        "police_municipale"),
    (ACT, "Étalages et terrasses à usage commercial : Autre"): (
        "autre_etalage_terrasse", "Shop displays and café terraces: other", "police_municipale"),
    (ACT, "Nuisances lumineuses : Eclairages gênants de commerces, bureaux ou panneaux lumineux"): (
        "nuisances_lumineuses_commerces_bureaux",
        "Light pollution: intrusive lighting from shops, offices or illuminated signs", "police_municipale"),
    (ACT, "Prospectus utilisant frauduleusement le logo et / ou les couleurs de la Ville de Paris"): (
        "prospectus_logo_ville_frauduleux",
        "Leaflets fraudulently using the City of Paris logo and/or colours", "police_municipale"),
    # Arbres, végétaux et animaux
    (ARB, "Herbes éparses"): ("herbes_eparses", "Scattered weeds", "proprete"),
    (ARB, "Présence de rats"): ("presence_rats", "Rats sighted", "espaces_verts"),
    (ARB, "Pied d'arbre : Végétation débordante en pied d'arbre"): (
        "pied_arbre_vegetation_debordante", "Tree base: overgrown vegetation at the base of a tree",
        "proprete"),
    (ARB, "Arbre dangereux ou en mauvais état"): (
        "arbre_dangereux_mauvais_etat", "Dangerous tree or tree in poor condition", "espaces_verts"),
    (ARB, "Autres problèmes d'animaux et d'insectes : Présence d'un animal mort"): (
        "animal_mort", "Other animal and insect problems: dead animal", "proprete"),
    (ARB, "Pied d'arbre : [Réservé DPE-STPP-DT] Pieds d'arbres avec grilles à traiter"): (
        "pied_arbre_reserve_stpp_grilles_a_traiter",
        "Tree base: [Reserved for DPE-STPP-DT] tree bases with grates to be treated", "proprete"),
    (ARB, "Arbuste ou jardinière en mauvais état"): (
        "arbuste_jardiniere_mauvais_etat", "Shrub or planter in poor condition", "espaces_verts"),
    (ARB, "Pied d'arbre : Élément de grille d'arbre manquant"): (
        "pied_arbre_grille_element_manquant", "Tree base: part of a tree grate missing", "voirie"),
    (ARB, "Arbre à élaguer"): ("arbre_a_elaguer", "Tree needing pruning", "espaces_verts"),
    (ARB, "Pied d'arbre : Grille d'arbre mal positionnée"): (
        "pied_arbre_grille_mal_positionnee", "Tree base: tree grate out of place", "proprete"),
    # Autos, motos, vélos, trottinettes...
    (AUT, "[] Automobile ou autre véhicule motorisé en stationnement gênant U2"): (
        "automobile_stationnement_genant_u2", "Car or other motor vehicle parked obstructively (U2)",
        "police_municipale"),
    (AUT, "[] Deux-roues motorisé en stationnement gênant U2"): (
        "deux_roues_motorise_stationnement_genant_u2",
        "Motorised two-wheeler parked obstructively (U2)", "police_municipale"),
    (AUT, "Automobile ou autre véhicule motorisé en stationnement gênant"): (
        "automobile_stationnement_genant", "Car or other motor vehicle parked obstructively",
        "police_municipale"),
    (AUT, "Épave d'automobile ou d'un autre véhicule motorisé"): (
        "epave_automobile", "Abandoned wreck of a car or other motor vehicle", "police_municipale"),
    (AUT, "[] Épave de vélo - enlèvement demandé"): (
        "epave_velo_enlevement_demande", "Abandoned bicycle wreck – removal requested", "proprete"),
    (AUT, "Épave de deux-roues motorisé"): (
        "epave_deux_roues_motorise", "Abandoned wreck of a motorised two-wheeler", "police_municipale"),
    (AUT, "Épave de vélo"): ("epave_velo", "Abandoned bicycle wreck", "police_municipale"),
    (AUT, "[] Épave de vélo - LIME - intervention demandée"): (
        "epave_velo_lime_intervention_demandee", "Abandoned bicycle wreck – LIME – action requested",
        "voirie"),
    (AUT, "Deux-roues motorisé en stationnement gênant"): (
        "deux_roues_motorise_stationnement_genant", "Motorised two-wheeler parked obstructively",
        "police_municipale"),
    (AUT, "[] Épave de vélo - DOTT - intervention demandée"): (
        "epave_velo_dott_intervention_demandee", "Abandoned bicycle wreck – DOTT – action requested",
        "voirie"),
    (AUT, "Épave de Vélib'"): ("epave_velib", "Abandoned Vélib' bike wreck", "voirie"),
    (AUT, "[] Épave de vélo - TIER - intervention demandée"): (
        "epave_velo_tier_intervention_demandee", "Abandoned bicycle wreck – TIER – action requested",
        "voirie"),
    # Eau
    (EAU, "Autres problèmes d'eau : Appareil hydraulique au sol avec écoulement d'eau permanent"): (
        "appareil_hydraulique_sol_ecoulement_permanent",
        "Other water problems: ground-level water fitting running constantly", "eau"),
    (EAU, "Autres problèmes d'eau : [] Bouche de lavage, d'arrosage ou de remplissage avec écoulement "
          "d'eau permanent, impossible à fermer"): (
        "bouche_lavage_ecoulement_impossible_a_fermer",
        "Other water problems: street-washing, watering or filling outlet running constantly, "
        "cannot be turned off", "eau"),
    (EAU, "Accumulation d'eau : Grosse flaque d'eau dans le caniveau"): (
        "flaque_eau_caniveau", "Standing water: large puddle in the gutter", "eau"),
    # Graffitis, tags, affiches et autocollants
    (GRA, "Graffitis et autocollants sur mur, façade sur rue, pont et descente d'eau pluviale"): (
        "graffitis_mur_facade_pont_descente_eau",
        "Graffiti and stickers on a wall, street-facing facade, bridge or drainpipe", "proprete"),
    (GRA, "Affiches, autocollants ou graffitis sur mobilier : Autre mobilier urbain tagué ou affiché"): (
        "affiches_mobilier_autre_tague_affiche", AF + "other street furniture tagged or postered",
        "proprete"),
    (GRA, "Graffitis sur rideau métallique"): (
        "graffitis_rideau_metallique", "Graffiti on a metal shop shutter", "proprete"),
    (GRA, "Affiches, autocollants ou graffitis sur mobilier : Autre mobilier urbain"): (
        "affiches_mobilier_autre_mobilier_urbain", AF + "other street furniture", "proprete"),
    (GRA, "Affiches, autocollants ou graffitis sur mobilier : Panneau routier ou signalétique"): (
        "affiches_mobilier_panneau_routier_signaletique", AF + "road sign or signage", "proprete"),
    (GRA, "[réservé agents DPE-STPP] Affiches sur mur, façade sur rue, pont (surface supérieure à 1 m²)"): (
        "reserve_stpp_affiches_mur_superieure_1m2",
        RS + "Posters on a wall, street-facing facade or bridge (area over 1 m²)", "proprete"),
    (GRA, "Peinture sur trottoir"): ("peinture_trottoir", "Paint on the pavement", "proprete"),
    (GRA, "[réservé agents DPE-STPP] Affiches sur mur, façade sur rue, pont (surface inférieure à 1 m²)"): (
        "reserve_stpp_affiches_mur_inferieure_1m2",
        RS + "Posters on a wall, street-facing facade or bridge (area under 1 m²)", "proprete"),
    (GRA, "Affiches, autocollants ou graffitis sur mobilier : [] Autocollants ou graffitis sur autres "
          "supports à analyser par la DT"): (
        "affiches_mobilier_autres_supports_analyse_dt",
        AF + "stickers or graffiti on other surfaces, to be assessed by the local division (DT)",
        "proprete"),
    (GRA, "[réservé agents DPE-STPP] Affiches A4 ou A3 à traiter par la DT"): (
        "reserve_stpp_affiches_a4_a3_dt",
        RS + "A4 or A3 posters to be handled by the local division (DT)", "proprete"),
    (GRA, "Boîte aux lettres (La Poste)"): (
        "graffitis_boite_aux_lettres_la_poste", "Post box (La Poste)", "proprete"),
    (GRA, "[réservé agents DPE-STPP] Affiches agrafées, scotchée ou attachées"): (
        "reserve_stpp_affiches_agrafees_scotchees", RS + "Posters stapled, taped or tied on", "proprete"),
    (GRA, "[réservé agents DPE-FONCTIONNELLE] Affiches, autocollants ou graffitis sur socle de statue "
          "ou d'oeuvre d'art"): (
        "reserve_fonctionnelle_socle_statue_oeuvre_art",
        RF + "Posters, stickers or graffiti on the base of a statue or artwork", "proprete"),
    (GRA, "Affiches, autocollants ou graffitis sur mobilier : Poubelle de rue"): (
        "affiches_mobilier_poubelle_rue", AF + "street litter bin", "proprete"),
    (GRA, "[] Affiches sur mur, façade sur rue, pont (surface supérieure à 1 m²)"): (
        "affiches_mur_facade_pont_superieure_1m2",
        "Posters on a wall, street-facing facade or bridge (area over 1 m²)", "proprete"),
    (GRA, "Affiches sur mur, façade sur rue, pont"): (
        "affiches_mur_facade_pont", "Posters on a wall, street-facing facade or bridge", "proprete"),
    (GRA, "[] Affiches, autocollants ou graffitis sur socle de statue ou d'oeuvre d'art"): (
        "affiches_socle_statue_oeuvre_art",
        "Posters, stickers or graffiti on the base of a statue or artwork", "proprete"),
    (GRA, "[] Affiches sur mur, façade sur rue, pont (surface inférieure à 1 m²)"): (
        "affiches_mur_facade_pont_inferieure_1m2",
        "Posters on a wall, street-facing facade or bridge (area under 1 m²)", "proprete"),
    (GRA, "Affiches, autocollants ou graffitis sur mobilier : Colonne à verre"): (
        "affiches_mobilier_colonne_verre", AF + "glass recycling bank", "proprete"),
    (GRA, "[réservé agents DPE-FONCTIONNELLE] traitement d'un support en briques ou en pierres"): (
        "reserve_fonctionnelle_support_briques_pierres",
        RF + "treatment of a brick or stone surface", "proprete"),
    (GRA, "Affiches, autocollants ou graffitis sur mobilier : Trilib'"): (
        "affiches_mobilier_trilib", AF + "Trilib' recycling station", "proprete"),
    (GRA, "Affiches, autocollants ou graffitis sur mobilier : [] Bac Cribier ou jardinière"): (
        "affiches_mobilier_bac_cribier_jardiniere", AF + "Cribier planter box or planter", "proprete"),
    (GRA, "[réservé agents DPE-STPP] Affiches sur armoire de trottoir à traiter par la Fonctionnelle"): (
        "reserve_stpp_affiches_armoire_trottoir",
        RS + "Posters on a pavement utility cabinet, to be handled by the Fonctionnelle", "proprete"),
    (GRA, "Inscriptions haineuses"): ("inscriptions_haineuses", "Hateful inscriptions", "proprete"),
    (GRA, "[] Affiches A4 ou A3 à traiter par la DT"): (
        "affiches_a4_a3_dt", "A4 or A3 posters to be handled by the local division (DT)", "proprete"),
    (GRA, "[] Affiches agrafées, scotchée ou attachées"): (
        "affiches_agrafees_scotchees", "Posters stapled, taped or tied on", "proprete"),
    (GRA, "Peinture sur chaussée"): ("peinture_chaussee", "Paint on the road", "proprete"),
    (GRA, "Affiches, autocollants ou graffitis sur mobilier : Plaque de nom de rue"): (
        "affiches_mobilier_plaque_nom_rue", AF + "street name sign", "proprete"),
    (GRA, "Barrière de chantier"): (
        "graffitis_barriere_chantier", "Construction site barrier", "voirie"),
    # Mobiliers urbains
    (MOB, "Protection : Potelet, barrière ou garde-corps détérioré"): (
        "potelet_barriere_garde_corps_deteriore", "Protection: damaged bollard, barrier or railing",
        "voirie"),
    (MOB, "Panneau d'information ou publicitaire : Plaque de nom de rue manquante ou cassée"): (
        "plaque_nom_rue_manquante_cassee",
        "Information or advertising panel: missing or broken street name sign", "voirie"),
    (MOB, "Autres : Autre mobilier urbain détérioré"): (
        "autre_mobilier_urbain_deteriore", "Other: other damaged street furniture", "voirie"),
    (MOB, "Collecte des déchets : [] Poubelle Bagatelle à changer ou refixer"): (
        "poubelle_bagatelle_changer_refixer",
        WC + "Bagatelle litter bin to be replaced or fixed back in place", "proprete"),
    (MOB, "Collecte des déchets : Colonne à verre dégradée, sale ou débordante"): (
        "colonne_verre_degradee_sale_debordante",
        WC + "glass recycling bank damaged, dirty or overflowing", "proprete"),
    (MOB, "Protection : [] Potelet, barrière ou garde-corps détérioré - analyse demandée"): (
        "potelet_barriere_garde_corps_analyse_demandee",
        "Protection: damaged bollard, barrier or railing – assessment requested", "voirie"),
    (MOB, "Collecte des déchets : [] Poubelle Cybel à réparer, changer ou refixer"): (
        "poubelle_cybel_reparer_changer_refixer",
        WC + "Cybel litter bin to be repaired, replaced or fixed back in place", "proprete"),
    (MOB, "Autres : Banc  détérioré"): ("banc_deteriore", "Other: damaged bench", "voirie"),
    (MOB, "Collecte des déchets : Conteneur pour la collecte des textiles dégradé, sale ou débordant"): (
        "conteneur_textiles_degrade_sale_debordant",
        WC + "textile collection bin damaged, dirty or overflowing", "proprete"),
    (MOB, "Collecte des déchets : [] Dépose d'une poubelle de rue"): (
        "depose_poubelle_rue", WC + "removal of a street litter bin", "proprete"),
    (MOB, "Collecte des déchets : Poubelle de rue dégradée"): (
        "poubelle_rue_degradee", WC + "damaged street litter bin", "proprete"),
    (MOB, "Collecte des déchets : [] Pose d'une poubelle de rue (modèle à préciser)"): (
        "pose_poubelle_rue", WC + "installation of a street litter bin (model to be specified)",
        "proprete"),
    (MOB, "Autres : Mobilier d'accroche 2 roues détérioré"): (
        "mobilier_accroche_deux_roues_deteriore", "Other: damaged bicycle and motorbike rack", "voirie"),
    (MOB, "Autres : Jeux d'enfants - table de jeu - aire sportive détériorés"): (
        "jeux_enfants_table_jeu_aire_sportive_deteriores",
        "Other: damaged children's play equipment, game table or sports area", "espaces_verts"),
    # Objets abandonnés
    (OBJ, "Autres objets encombrants abandonnés"): (
        "autres_encombrants_abandonnes", "Other abandoned bulky items", "proprete"),
    (OBJ, "Cartons ou sacs de déchets ménagers"): (
        "cartons_sacs_dechets_menagers", "Cardboard boxes or bags of household waste", "proprete"),
    (OBJ, "[] A requalifier de ramen"): (
        "a_requalifier_ramen", "To be reclassified (from Ramen)", "proprete"),
    (OBJ, "Gravats ou déchets de chantier"): (
        "gravats_dechets_chantier", "Rubble or construction waste", "proprete"),
    (OBJ, "Objets infestés de punaises de lit"): (
        "objets_infestes_punaises_lit", "Items infested with bedbugs", "proprete"),
    (OBJ, "Barrières et autres objets de chantier (hors gravats)"): (
        "barrieres_objets_chantier", "Barriers and other construction site items (excluding rubble)",
        "proprete"),
    (OBJ, "Bac roulant à ordures ménagères"): (
        "bac_roulant_ordures_menageres", "Wheelie bin for household waste", "proprete"),
    (OBJ, "[] Cadenas, chaîne, caddie, cadre de vélo - enlèvement demandé"): (
        "cadenas_chaine_caddie_cadre_velo_enlevement",
        "Padlock, chain, shopping trolley, bicycle frame – removal requested", "proprete"),
    (OBJ, "[] Objets appartenant à des personnes à la rue"): (
        "objets_personnes_a_la_rue", "Belongings of people living on the street", "proprete"),
    (OBJ, "Chariot de supermarché"): ("chariot_supermarche", "Supermarket trolley", "proprete"),
    (OBJ, "[] Barrières et autres objets de chantier - Enlèvement demandé"): (
        "barrieres_objets_chantier_enlevement_demande",
        "Barriers and other construction site items – removal requested", "proprete"),
    (OBJ, "[] Cadenas, chaîne, caddie - enlèvement demandé"): (
        "cadenas_chaine_caddie_enlevement_demande",
        "Padlock, chain, shopping trolley – removal requested", "proprete"),
    # Propreté
    (PRO, "Déchets et/ou salissures divers"): (
        "dechets_salissures_divers", "Miscellaneous litter and/or dirt", "proprete"),
    (PRO, "Épanchement d'urine"): ("epanchement_urine", "Urine on the street", "proprete"),
    (PRO, "Propreté des équipements de collecte des déchets : Poubelle de rue sale ou débordante"): (
        "poubelle_rue_sale_debordante", CW + "dirty or overflowing street litter bin", "proprete"),
    (PRO, "[] Patrouille propreté Fonctionnelle"): (
        "patrouille_proprete_fonctionnelle", "Cleanliness patrol (Fonctionnelle)", "proprete"),
    (PRO, "Déjections canines"): ("dejections_canines", "Dog fouling", "proprete"),
    (PRO, "Propreté du sol : Déchets et/ou salissures en pied d'arbre, dans une jardinière ou un "
          "espace végétalisé"): (
        "dechets_pied_arbre_jardiniere_espace_vegetalise",
        GC + "litter and/or dirt at the base of a tree, in a planter or in a green space", "proprete"),
    (PRO, "[] Patrouille propreté DT"): (
        "patrouille_proprete_dt", "Cleanliness patrol (local division, DT)", "proprete"),
    (PRO, "[] Patrouille propreté Mission Propreté"): (
        "patrouille_proprete_mission_proprete", "Cleanliness patrol (Mission Propreté)", "proprete"),
    (PRO, "Propreté du sol : Feuilles mortes"): ("feuilles_mortes", GC + "fallen leaves", "proprete"),
    (PRO, "Propreté des équipements de collecte des déchets : Bac à ordure ménagères abandonné, sale "
          "ou débordant"): (
        "bac_ordures_menageres_abandonne_sale_debordant",
        CW + "household waste bin abandoned, dirty or overflowing", "proprete"),
    (PRO, "[] Présence de bombonne de protoxyde d’azote"): (
        "bombonne_protoxyde_azote", "Nitrous oxide cylinder left in the street", "proprete"),
    (PRO, "[] Renfort Fonctionnelle"): (
        "renfort_fonctionnelle", "Back-up from the Fonctionnelle", "proprete"),
    (PRO, "Propreté des équipements de collecte des déchets : Trilib sale, dégradé, débordant ou avec "
          "présence d'objets à proximité"): (
        "trilib_sale_degrade_debordant",
        CW + "Trilib' station dirty, damaged, overflowing or with items left nearby", "proprete"),
    (PRO, "[] Propreté des berges historiques nécessitant une intervention de la Fonctionnelle"): (
        "proprete_berges_historiques_fonctionnelle",
        "Cleanliness of the historic riverbanks, needing action by the Fonctionnelle", "proprete"),
    (PRO, "[] Présence de cartouche de protoxyde d’azote"): (
        "cartouche_protoxyde_azote", "Nitrous oxide cartridges left in the street", "proprete"),
    (PRO, "[] Propreté du boulevard périphérique ou d'une voie rapide nécessitant une intervention de "
          "la Fonctionnelle"): (
        "proprete_peripherique_voie_rapide_fonctionnelle",
        "Cleanliness of the Boulevard Périphérique or an expressway, needing action by the "
        "Fonctionnelle", "proprete"),
    (PRO, "Mégots"): ("megots", "Cigarette butts", "proprete"),
    (PRO, "Propreté des équipements de collecte des déchets : Colonne à verre sale ou débordante"): (
        "colonne_verre_sale_debordante", CW + "dirty or overflowing glass recycling bank", "proprete"),
    (PRO, "Propreté du sol : Fientes d'oiseaux"): ("fientes_oiseaux", GC + "bird droppings", "proprete"),
    (PRO, "Propreté du sol : Flaque d'huile ou de carburant"): (
        "flaque_huile_carburant", GC + "oil or fuel spill", "proprete"),
    (PRO, "[] Propreté d'une Porte de Paris nécessitant l'intervention de la Fonctionnelle"): (
        "proprete_porte_de_paris_fonctionnelle",
        "Cleanliness of a Porte de Paris, needing action by the Fonctionnelle", "proprete"),
    (PRO, "Chantier : Chantier sale - Voirie"): (
        "chantier_sale_voirie", "Worksite: dirty roadworks", "voirie"),
    (PRO, "[Pour envoi à Haropa] Propreté des berges de Seine sur un espace « Haropa - Port »"): (
        "haropa_proprete_berges_seine",
        "[To be sent to Haropa] Cleanliness of the Seine banks in a “Haropa – Port” area", "proprete"),
    (PRO, "Propreté des équipements de collecte des déchets : [] Hors champ du prestataire des "
          "colonnes à verre"): (
        "hors_champ_prestataire_colonnes_verre",
        CW + "outside the glass recycling bank contractor's remit", "proprete"),
    (PRO, "Chantier : Chantier sale - Bâtiment"): (
        "chantier_sale_batiment", "Worksite: dirty building site", "voirie"),
    # Voirie et espace public
    (VOI, "Panneaux routiers : Panneau endommagé"): (
        "panneau_routier_endommage", "Road signs: damaged sign", "voirie"),
    (VOI, "Trottoirs : Affaissement, trou, bosse, pavé arraché"): (
        "trottoir_affaissement_trou_bosse_pave",
        "Pavements: subsidence, hole, bump or loose paving stone", "voirie"),
    (VOI, "Trottoirs : Revêtement manquant"): (
        "trottoir_revetement_manquant", "Pavements: missing surfacing", "voirie"),
    (VOI, "Chaussées : Affaissement, trou, bosse, pavé arraché"): (
        "chaussee_affaissement_trou_bosse_pave",
        "Roads: subsidence, pothole, bump or loose paving stone", "voirie"),
    (VOI, "Panneaux routiers : Panneau mal orienté"): (
        "panneau_routier_mal_oriente", "Road signs: sign facing the wrong way", "voirie"),
    (VOI, "Chantier : Chantier de voirie sans barrière ou information et présentant un danger"): (
        "chantier_voirie_sans_barriere_dangereux",
        "Worksite: dangerous roadworks without barriers or information", "voirie"),
    (VOI, "Panneaux routiers : Panneau manquant"): (
        "panneau_routier_manquant", "Road signs: missing sign", "voirie"),
    (VOI, "Chantier : Incohérence d'informations chantier"): (
        "chantier_informations_incoherentes", "Worksite: inconsistent worksite information", "voirie"),
    (VOI, "Gênes à la circulation des piétons : Autre mobilier urbain gênant"): (
        "pietons_mobilier_urbain_genant",
        "Obstacles for pedestrians: other street furniture in the way", "voirie"),
    (VOI, "Trappes ou grilles au sol : Grille d'aération ou autre trappe au sol endommagées ou absente"): (
        "grille_aeration_trappe_sol_endommagee_absente",
        "Ground hatches and grates: ventilation grate or other ground hatch damaged or missing",
        "voirie"),
    (VOI, "Trottoirs : Bordure / caniveau endommagé"): (
        "trottoir_bordure_caniveau_endommage", "Pavements: damaged kerb or gutter", "voirie"),
    (VOI, "Feux tricolores  : Matériel détérioré"): (
        "feux_tricolores_materiel_deteriore", "Traffic lights: damaged equipment", "eclairage_public"),
    (VOI, "Feux tricolores  : Carrefour éteint"): (
        "feux_tricolores_carrefour_eteint", "Traffic lights: all lights out at a junction",
        "eclairage_public"),
    (VOI, "Chaussées : Revêtement manquant"): (
        "chaussee_revetement_manquant", "Roads: missing surfacing", "voirie"),
    (VOI, "Feux tricolores  : Lampe éteinte ou cassée"): (
        "feux_tricolores_lampe_eteinte_cassee", "Traffic lights: bulb out or broken", "eclairage_public"),
    (VOI, "Feux tricolores  : Feu tricolore mal orienté"): (
        "feux_tricolores_feu_mal_oriente", "Traffic lights: traffic light facing the wrong way",
        "eclairage_public"),
    (VOI, "Chantier : Chantier dangereux sur un bâtiment"): (
        "chantier_dangereux_batiment", "Worksite: dangerous building works", "voirie"),
    (VOI, "Marquage au sol  effacé  : Marquage de passage piéton"): (
        "marquage_passage_pieton_efface", "Faded road markings: pedestrian crossing", "voirie"),
    (VOI, "Aménagements cyclables : Obstacle sur la piste (bordure descellée)"): (
        "piste_cyclable_obstacle_bordure_descellee",
        "Cycling infrastructure: obstacle on the cycle lane (loose kerb)", "voirie"),
    # Éclairage / Électricité
    (ECL, "Éclairage public éteint la nuit"): (
        "eclairage_public_eteint_nuit", "Street lighting off at night", "eclairage_public"),
    (ECL, "Lampadaire en mauvais état"): (
        "lampadaire_mauvais_etat", "Street lamp in poor condition", "eclairage_public"),
    (ECL, "Fils électriques apparents sur lampadaire ou sur armoire électrique"): (
        "fils_electriques_apparents_lampadaire_armoire",
        "Exposed electrical wires on a street lamp or electrical cabinet", "eclairage_public"),
    (ECL, "Éclairage public allumé le jour"): (
        "eclairage_public_allume_jour", "Street lighting on during the day", "eclairage_public"),
}


# The town's rules for reports (tenant.json "settings"): the reopen window and duplicate radius
# follow FixMyStreet's practice (four weeks, 250 m); rating summaries of the directory are shown
# once 5 citizens rated a service.
SETTINGS = {"reopen_window_days": 28, "duplicate_radius_m": 250, "rating_min_sample": 5}

# Published response time per group, in days (this project's own figures for the demo, from 2
# days for cleanliness to 14 for street furniture and posters).
RESPONSE_DAYS = {
    "objets_abandonnes": 3,
    "graffitis_tags_affiches_autocollants": 14,
    "proprete": 2,
    "autos_motos_velos_trottinettes": 7,
    "voirie_espace_public": 10,
    "mobiliers_urbains": 14,
    "activites_commerciales_professionnelles": 14,
    "arbres_vegetaux_animaux": 10,
    "eclairage_electricite": 5,
    "eau": 5,
}

# Street lamps stand close together: a dark street is the same incident within 100 m.
DUPLICATE_RADIUS_M = {
    "eclairage_public_eteint_nuit": 100,
    "lampadaire_mauvais_etat": 100,
    "eclairage_public_allume_jour": 100,
}


def _text(fr, en):
    return {"fr": fr, "en": en}


# Extra questions (like Open311 attributes), protocol::Question as JSON. The required type of
# object goes on the group's catch-all "Autre": it is where the kind of object is unknown.
QUESTIONS = {
    "objets_abandonnes_autre": [{
        "code": "type_objet",
        "label": _text("Quel type d'objet ?", "What kind of item?"),
        "kind": {"type": "single_choice", "options": [
            {"code": "matelas", "label": _text("Matelas", "Mattress")},
            {"code": "meuble", "label": _text("Meuble", "Furniture")},
            {"code": "electromenager", "label": _text("Électroménager", "Household appliance")},
            {"code": "autre", "label": _text("Autre", "Other")},
        ]},
        "required": True,
    }],
    "graffitis_mur_facade_pont_descente_eau": [{
        "code": "surface_m2",
        "label": _text("Surface approximative (m²)", "Approximate area (m²)"),
        "kind": {"type": "number"},
        "required": False,
    }],
    "eclairage_public_eteint_nuit": [{
        "code": "nombre_lampadaires",
        "label": _text("Combien de lampadaires ?", "How many street lamps?"),
        "kind": {"type": "number", "integer": True},
        "required": True,
    }],
}


# Quartier names as published (``l_qu``), corrected where the source abbreviates, drops an
# accent or carries a stray suffix; every other quartier keeps the source's name.
QUARTIER_NAMES = {
    "7510101": "Saint-Germain-l'Auxerrois",  # source: "St-Germain-l'Auxerrois"
    "7510301": "Arts-et-Métiers",  # "Arts-et-Metiers"
    "7510503": "Val-de-Grâce",  # "Val-de-Grace"
    "7510602": "Odéon",  # "Odeon"
    "7510703": "École-Militaire",  # "Ecole-Militaire"
    "7510801": "Champs-Élysées",  # "Champs-Elysées"
    "7511504": "Javel",  # "Javel 15Art"
    "7511702": "Plaine-de-Monceaux",  # "Plaine de Monceaux"
    "7511704": "Épinettes",  # "Epinettes"
}

# Routing by zone (tenant.json "routing"). Each rule: reports of these categories located in these
# zones go to `service` instead of the category's default, because in the CSV the unit in charge
# ("intervenant") there is `intervenant`. build_routing() checks every rule against the CSV and
# fails unless, for each category, over the reports located (by their point) in the rule's zones:
# at least MIN_ROUTED_REPORTS reports, `intervenant` handled at least half of them; and over the
# reports elsewhere, `intervenant` is not the most frequent unit (the default holds there).
# The two quartiers are those that contain the Bois de Vincennes (Bel-Air, Picpus); there the parks
# department (DEVE) handled the damaged street furniture that the roads department (DVD) or the
# street furniture section (SMEP) handles everywhere else. See the module docstring for figures.
MIN_ROUTED_REPORTS = 4
ROUTING_RULES = [{
    "service": "bois_de_vincennes",
    "intervenant": "DEVE",
    "zones": ["7511201", "7511202"],  # Bel-Air, Picpus (12th arrondissement)
    "categories": [
        "autre_mobilier_urbain_deteriore",
        "potelet_barriere_garde_corps_analyse_demandee",
        "mobiliers_urbains_autre",
        # Not arbres_vegetaux_animaux_autre: DEVE handled 4 of its 6 reports there, but its
        # default service is already the parks department and DEVE handles 19 of 87 elsewhere.
    ],
}]

# The town's managed list of rejection reasons (tenant.json "rejection_reasons"). Labels are read
# alone (a staff member's menu, the citizen's report) and inside the "rejected" reply, in quotes.
REJECTION_REASONS = [
    ("domaine_prive", _text(
        "Domaine privé : l'intervention incombe au propriétaire ou au syndic",
        "Private property: this is the responsibility of the owner or the building manager")),
    ("autre_gestionnaire", _text(
        "Ne relève pas de la Ville : un autre gestionnaire est compétent (RATP, SNCF, "
        "gestionnaire de réseau…)",
        "Not the City's responsibility: another body is in charge (RATP, SNCF, a utility "
        "company…)")),
    ("deja_traite", _text(
        "Problème déjà traité", "The problem has already been dealt with")),
    ("non_constate", _text(
        "Problème non constaté sur place", "The problem was not found on site")),
    ("informations_insuffisantes", _text(
        "Informations insuffisantes pour localiser ou traiter le problème",
        "Not enough information to locate or deal with the problem")),
    ("hors_territoire", _text(
        "Lieu situé en dehors de Paris", "The location is outside Paris")),
    ("non_recevable", _text(
        "Demande non recevable (propos injurieux ou sans rapport avec l'espace public)",
        "Request not admissible (abusive, or unrelated to public space)")),
]

# Written replies (tenant.json "reply_templates"): a draft that staff edit before sending. The
# server picks the most specific template of a kind: the category's, else the group's, else the
# town default (group and category both null). Placeholders, filled in by the server:
PLACEHOLDERS = {
    "category": None,  # the category's name, in the reply's language
    "service": None,  # the name of the service in charge
    "response_days": None,  # the category's published response time, in days
    "date": "scheduled",  # the scheduled date, in the reply's language ("12 mars 2025")
    "reason": "rejected",  # the rejection reason's label
    "original": "duplicate",  # the reference of the original report
}
REPLY_KINDS = ["acknowledged", "scheduled", "resolved", "rejected", "duplicate", "transferred"]
# The placeholder a reply of this kind cannot do without.
REQUIRED_PLACEHOLDER = {"scheduled": "date", "rejected": "reason", "duplicate": "original"}
GREETING = _text("Bonjour,", "Hello,")
SIGNATURE = _text("La Ville de Paris", "The City of Paris")
MAX_REPLY_BODY_CHARS = 400


def _reply(kind, fr, en, group=None, category=None):
    """A reply template: greeting, a body of two or three sentences, the town's signature."""
    text = {lang: "%s\n\n%s\n\n%s" % (GREETING[lang], body, SIGNATURE[lang])
            for lang, body in (("fr", fr), ("en", en))}
    return {"kind": kind, "group": group, "category": category, "text": text}


REPLY_TEMPLATES = [
    # Town defaults, one per kind.
    _reply(
        "acknowledged",
        "Nous avons bien reçu votre signalement « {category} » et l'avons transmis au service "
        "« {service} ». Nous nous efforçons d'intervenir sous {response_days} jours ; vous pouvez "
        "suivre son avancement dans l'application.",
        "We have received your report “{category}” and passed it to the {service} department. "
        "We aim to deal with it within {response_days} days; you can follow its progress in the "
        "app."),
    _reply(
        "scheduled",
        "Une intervention du service « {service} » est prévue le {date} pour votre signalement "
        "« {category} ». Cette date peut changer selon les contraintes sur place ; nous vous "
        "préviendrons le cas échéant.",
        "The {service} department has scheduled work on {date} for your report “{category}”. "
        "This date may change depending on conditions on site; we will let you know if it does."),
    _reply(
        "resolved",
        "Le service « {service} » nous indique que votre signalement « {category} » a été traité. "
        "Merci pour votre aide ; si le problème persiste, vous pouvez rouvrir le signalement "
        "depuis l'application.",
        "The {service} department tells us that your report “{category}” has been dealt with. "
        "Thank you for your help; if the problem persists, you can reopen the report in the app."),
    _reply(
        "rejected",
        "Après examen, nous ne pouvons pas donner suite à votre signalement « {category} », pour "
        "le motif suivant : « {reason} ». Nous vous remercions de votre compréhension.",
        "After review, we are unable to take your report “{category}” further, for the following "
        "reason: “{reason}”. Thank you for your understanding."),
    _reply(
        "duplicate",
        "Votre signalement « {category} » concerne un problème qui nous a déjà été signalé "
        "(référence {original}). Nous le traitons avec le signalement d'origine, dont vous pouvez "
        "suivre l'avancement dans l'application.",
        "Your report “{category}” concerns a problem that has already been reported to us "
        "(reference {original}). We are dealing with it together with that report, whose "
        "progress you can follow in the app."),
    _reply(
        "transferred",
        "Votre signalement « {category} » a été transmis au service « {service} », chargé de ce "
        "type de problème à cet endroit. Il en assure désormais le suivi : vous n'avez rien "
        "d'autre à faire.",
        "Your report “{category}” has been passed to the {service} department, which handles "
        "this kind of problem at this location. It will follow it up from now on; you do not "
        "need to do anything else."),
    # The most frequent groups of the CSV: what their services say on receipt and on completion.
    _reply(
        "acknowledged",
        "Nous avons bien reçu votre signalement « {category} ». Nos équipes de collecte "
        "enlèveront les objets sous {response_days} jours environ. Merci de ne rien y ajouter : "
        "pour vos propres encombrants, vous pouvez prendre rendez-vous sur paris.fr.",
        "We have received your report “{category}”. Our collection teams will remove the items "
        "within about {response_days} days. Please do not add anything to them: for your own "
        "bulky items, you can book a collection on paris.fr.",
        group="objets_abandonnes"),
    _reply(
        "resolved",
        "Les objets que vous avez signalés (« {category} ») ont été enlevés par nos équipes de "
        "collecte. Merci de nous aider à garder les rues dégagées.",
        "The items you reported (“{category}”) have been removed by our collection teams. Thank "
        "you for helping us keep the streets clear.",
        group="objets_abandonnes"),
    _reply(
        "acknowledged",
        "Nous avons bien reçu votre signalement « {category} ». Nos équipes d'enlèvement des "
        "graffitis et de l'affichage sauvage interviendront sous {response_days} jours environ. "
        "Sur un immeuble privé, l'accord du propriétaire ou du syndic peut être nécessaire.",
        "We have received your report “{category}”. Our graffiti and fly-posting removal teams "
        "will deal with it within about {response_days} days. On a private building, we may "
        "need the consent of the owner or the building manager.",
        group="graffitis_tags_affiches_autocollants"),
    _reply(
        "resolved",
        "Les graffitis, affiches ou autocollants que vous avez signalés (« {category} ») ont été "
        "retirés. Merci de votre vigilance.",
        "The graffiti, posters or stickers you reported (“{category}”) have been removed. Thank "
        "you for keeping an eye out.",
        group="graffitis_tags_affiches_autocollants"),
    _reply(
        "acknowledged",
        "Nous avons bien reçu votre signalement « {category} » et l'avons transmis à l'équipe de "
        "propreté du secteur. Elle interviendra sous {response_days} jours environ.",
        "We have received your report “{category}” and passed it to the street cleaning team "
        "for that area. They will deal with it within about {response_days} days.",
        group="proprete"),
    _reply(
        "resolved",
        "L'équipe de propreté est passée et l'endroit que vous avez signalé (« {category} ») a "
        "été nettoyé. Merci de contribuer à la propreté de Paris.",
        "The street cleaning team has visited and the place you reported (“{category}”) has been "
        "cleaned. Thank you for helping to keep Paris clean.",
        group="proprete"),
    _reply(
        "acknowledged",
        "Nous avons bien reçu votre signalement « {category} » et l'avons transmis au service "
        "« {service} ». Un agent se rendra sur place pour constater la situation ; en cas de "
        "danger immédiat, appelez le 17.",
        "We have received your report “{category}” and passed it to the {service} department. "
        "A member of staff will check the situation on site; if there is immediate danger, call "
        "17 (police).",
        group="autos_motos_velos_trottinettes"),
    _reply(
        "resolved",
        "Votre signalement « {category} » a été traité : un agent est intervenu et a pris les "
        "mesures nécessaires (verbalisation, enlèvement ou demande d'enlèvement à l'opérateur). "
        "Merci de nous l'avoir signalé.",
        "Your report “{category}” has been dealt with: a member of staff went on site and took "
        "the necessary action (a fine, removal, or a removal request to the operator). Thank you "
        "for letting us know.",
        group="autos_motos_velos_trottinettes"),
    _reply(
        "acknowledged",
        "Nous avons bien reçu votre signalement « {category} » et l'avons transmis au service "
        "« {service} ». Nos équipes évalueront la situation et, si nécessaire, sécuriseront les "
        "lieux avant la réparation, prévue sous {response_days} jours environ.",
        "We have received your report “{category}” and passed it to the {service} department. "
        "Our teams will assess the situation and, if needed, make the area safe before the "
        "repair, which we aim to carry out within about {response_days} days.",
        group="voirie_espace_public"),
    _reply(
        "resolved",
        "Les travaux liés à votre signalement « {category} » ont été réalisés. Merci de nous "
        "aider à entretenir les rues de Paris.",
        "The work on your report “{category}” has been completed. Thank you for helping us look "
        "after the streets of Paris.",
        group="voirie_espace_public"),
    _reply(
        "acknowledged",
        "Nous avons bien reçu votre signalement « {category} » et l'avons transmis au service "
        "« {service} ». Le mobilier sera réparé ou remplacé sous {response_days} jours environ ; "
        "pour certains équipements confiés à un prestataire, le délai peut être plus long.",
        "We have received your report “{category}” and passed it to the {service} department. "
        "The street furniture will be repaired or replaced within about {response_days} days; "
        "for some equipment run by a contractor, it may take longer.",
        group="mobiliers_urbains"),
    _reply(
        "resolved",
        "Le mobilier urbain que vous avez signalé (« {category} ») a été réparé ou remplacé. "
        "Merci de votre aide.",
        "The street furniture you reported (“{category}”) has been repaired or replaced. Thank "
        "you for your help.",
        group="mobiliers_urbains"),
    # Two categories whose reply differs from their group's.
    _reply(
        "acknowledged",
        "Nous avons bien reçu votre signalement « {category} ». Nos équipes de collecte "
        "enlèveront ces objets avec les précautions nécessaires sous {response_days} jours "
        "environ ; d'ici là, merci de ne pas les toucher ni les déplacer.",
        "We have received your report “{category}”. Our collection teams will remove these "
        "items with the necessary precautions within about {response_days} days; until then, "
        "please do not touch or move them.",
        category="objets_infestes_punaises_lit"),
    _reply(
        "resolved",
        "L'éclairage public que vous avez signalé (« {category} ») a été réparé. Si la rue reste "
        "dans l'obscurité à la nuit tombée, vous pouvez rouvrir le signalement depuis "
        "l'application.",
        "The street lighting you reported (“{category}”) has been repaired. If the street is "
        "still dark after nightfall, you can reopen the report in the app.",
        category="eclairage_public_eteint_nuit"),
]


def french_name(soustype):
    """The CSV wording, minus the empty "[]" markers left where the export stripped an internal
    tag (e.g. "[] Patrouille propreté DT"), with runs of spaces collapsed."""
    name = soustype.replace("[] ", "").replace("[]", "")
    return re.sub(r"\s+", " ", name).strip()


def round_coords(coords, dropped):
    """Rounds to 6 decimals (about 0.1 m), dropping the consecutive duplicate vertices that
    rounding creates (counted in dropped[0])."""
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], 6), round(coords[1], 6)]
    out = [round_coords(c, dropped) for c in coords]
    if out and isinstance(out[0][0], (int, float)):
        # A ring: drop consecutive duplicates that rounding could create.
        ring = [out[0]] + [p for prev, p in zip(out, out[1:]) if p != prev]
        assert ring[0] == ring[-1] and len(ring) >= 4, "ring broken by rounding"
        dropped[0] += len(out) - len(ring)
        out = ring
    return out


def polygons(geometry):
    """A Polygon's or MultiPolygon's coordinates as a list of polygons (lists of rings)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    assert geometry["type"] == "MultiPolygon", geometry["type"]
    return geometry["coordinates"]


def ring_contains(ring, x, y):
    """Even-odd ray casting; a point exactly on an edge may fall either way."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def covers(geometry, x, y):
    return any(ring_contains(p[0], x, y) and not any(ring_contains(h, x, y) for h in p[1:])
               for p in polygons(geometry))


def interior_point(geometry):
    """A point inside the geometry (not its centroid, which a concave shape may not contain): the
    middle of the widest inside stretch of the horizontal line through the middle of the largest
    polygon's bounding box."""
    polygon = max(polygons(geometry), key=lambda p: abs(ring_area(p[0])))
    ys = [y for _, y in polygon[0]]
    y = (min(ys) + max(ys)) / 2
    xs = sorted(x1 + (y - y1) * (x2 - x1) / (y2 - y1)
                for ring in polygon for (x1, y1), (x2, y2) in zip(ring, ring[1:])
                if (y1 > y) != (y2 > y))
    assert len(xs) % 2 == 0 and xs
    a, b = max(zip(xs[::2], xs[1::2]), key=lambda s: s[1] - s[0])
    return (a + b) / 2, y


def ring_area(ring):
    """Shoelace area in square degrees (signed); only used for ratios at Paris's latitude."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


def area(geometry):
    return sum(abs(ring_area(p[0])) - sum(abs(ring_area(h)) for h in p[1:])
               for p in polygons(geometry))


def zone_feature(code, name, kind, parent, geometry, dropped):
    assert geometry["type"] in ("Polygon", "MultiPolygon"), (code, geometry["type"])
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "kind": kind, "parent": parent},
        "geometry": {"type": geometry["type"],
                     "coordinates": round_coords(geometry["coordinates"], dropped)},
    }


def build_zones(data_dir):
    """The 20 arrondissements, then the 80 quartiers, each sorted by code. Returns the collection
    and figures for the report."""
    stats = {}
    src = json.loads((data_dir / "paris_arrondissements.geojson").read_text(encoding="utf-8"))
    arrondissements, dropped = [], [0]
    for f in src["features"]:
        p = f["properties"]
        insee = p.get("c_arinsee")
        code = str(insee) if insee else "751%02d" % int(p["c_ar"])
        name = "Paris " + p["l_ar"] if p.get("l_ar") else "Paris %d" % int(p["c_ar"])
        arrondissements.append(
            zone_feature(code, name, "arrondissement", None, f["geometry"], dropped))
    arrondissements.sort(key=lambda f: f["properties"]["code"])
    codes = [f["properties"]["code"] for f in arrondissements]
    assert codes == ["751%02d" % i for i in range(1, 21)], codes
    stats["arrondissement_vertices_dropped"] = dropped[0]

    src = json.loads(
        (data_dir / "paris_quartiers_administratifs.geojson").read_text(encoding="utf-8"))
    quartiers, dropped = [], [0]
    for f in src["features"]:
        p = f["properties"]
        code = str(p["c_quinsee"])
        parent = "751%02d" % int(p["c_ar"])
        # The INSEE quartier code is the arrondissement's INSEE code and a two-digit rank.
        assert re.fullmatch(r"751(0[1-9]|1[0-9]|20)0[1-4]", code), code
        assert code[:5] == parent, (code, parent)
        name = QUARTIER_NAMES.get(code, p["l_qu"])
        quartiers.append(zone_feature(code, name, "quartier", parent, f["geometry"], dropped))
    quartiers.sort(key=lambda f: f["properties"]["code"])
    assert len(quartiers) == 80, len(quartiers)
    assert set(QUARTIER_NAMES) <= {f["properties"]["code"] for f in quartiers}
    stats["quartier_vertices_dropped"] = dropped[0]
    features = arrondissements + quartiers

    codes = [f["properties"]["code"] for f in features]
    assert len(set(codes)) == len(codes), "duplicate zone code"
    for kind in ("arrondissement", "quartier"):
        names = [f["properties"]["name"] for f in features if f["properties"]["kind"] == kind]
        assert len(set(names)) == len(names), "duplicate %s name" % kind
    per_parent = collections.Counter(f["properties"]["parent"] for f in quartiers)
    assert per_parent == {c: 4 for c in codes[:20]}, per_parent

    # The parent named by the data must be the one the geometry says: the quartier's interior
    # point lies in its parent and in no other arrondissement.
    by_code = {f["properties"]["code"]: f for f in arrondissements}
    for q in quartiers:
        x, y = interior_point(q["geometry"])
        assert covers(q["geometry"], x, y), q["properties"]["code"]
        around = [a["properties"]["code"] for a in arrondissements if covers(a["geometry"], x, y)]
        assert around == [q["properties"]["parent"]], (q["properties"], around)
    # The quartiers tile their arrondissement: their areas add up to its area.
    worst = max(
        abs(sum(area(q["geometry"]) for q in quartiers if q["properties"]["parent"] == code)
            / area(by_code[code]["geometry"]) - 1)
        for code in by_code)
    assert worst < 0.001, "quartiers do not tile their arrondissement (%.4f)" % worst
    stats["worst_tiling_gap"] = worst
    return {"type": "FeatureCollection", "features": features}, stats


def category_of(categories):
    """A function giving a CSV row's category code: its (type, soustype), else its type's
    catch-all (check_mapping() checks this is total and unambiguous)."""
    specific, catch_all = {}, {}
    for c in categories:
        src = c["source"]
        if src["soustype"] is None:
            catch_all[src["type"]] = c["code"]
        else:
            specific[(src["type"], src["soustype"])] = c["code"]
    return lambda r: specific.get((r["type"], r["soustype"])) or catch_all[r["type"]]


def build_routing(tenant, zones, rows):
    """The routing entries of ROUTING_RULES, each checked against the CSV (see ROUTING_RULES).
    Returns the entries and, per rule and category, the figures that support it."""
    categories = {c["code"]: c for c in tenant["categories"]}
    position = {c["code"]: i for i, c in enumerate(tenant["categories"])}
    services = {s["code"] for s in tenant["services"]}
    zone_by_code = {f["properties"]["code"]: f for f in zones["features"]}
    category = category_of(tenant["categories"])
    entries, figures = [], []
    for rule in ROUTING_RULES:
        assert rule["service"] in services, "routing to unknown service %s" % rule["service"]
        for z in rule["zones"]:
            assert z in zone_by_code, "routing to unknown zone %s" % z
        for code in rule["categories"]:
            assert code in categories, "routing of unknown category %s" % code
            assert categories[code]["service"] != rule["service"], (
                "%s: routing to its default service" % code)
            inside, outside = collections.Counter(), collections.Counter()
            for r in rows:
                if category(r) != code:
                    continue
                x, y = float(r["lon"]), float(r["lat"])
                here = any(covers(zone_by_code[z]["geometry"], x, y) for z in rule["zones"])
                (inside if here else outside)[r["intervenant"]] += 1
            n_in, n_out = sum(inside.values()), sum(outside.values())
            top_out = outside.most_common(1)[0][0] if outside else None
            figures.append((code, rule["intervenant"], inside[rule["intervenant"]], n_in,
                            top_out, outside[top_out], outside[rule["intervenant"]], n_out))
            assert n_in >= MIN_ROUTED_REPORTS and 2 * inside[rule["intervenant"]] >= n_in, (
                "routing of %s not supported by the data: %r" % (code, inside))
            assert top_out != rule["intervenant"], (
                "%s: %s is in charge everywhere, not a matter of zone" % (code, top_out))
            for z in rule["zones"]:
                entries.append({"category": code, "zone": z, "service": rule["service"]})
    entries.sort(key=lambda e: (position[e["category"]], e["zone"]))
    pairs = [(e["category"], e["zone"]) for e in entries]
    assert len(set(pairs)) == len(pairs), "a category routed twice in one zone"
    return entries, figures


def check_routing(tenant, zones):
    """Every routing entry names an existing category, zone and service, other than the
    category's default service, and no (category, zone) pair appears twice."""
    default = {c["code"]: c["service"] for c in tenant["categories"]}
    services = {s["code"] for s in tenant["services"]}
    zone_codes = {f["properties"]["code"] for f in zones["features"]}
    pairs = set()
    for e in tenant["routing"]:
        assert set(e) == {"category", "zone", "service"}, e
        assert e["category"] in default, "routing of unknown category: %r" % e
        assert e["zone"] in zone_codes, "routing in unknown zone: %r" % e
        assert e["service"] in services, "routing to unknown service: %r" % e
        assert e["service"] != default[e["category"]], "routing to the default service: %r" % e
        assert (e["category"], e["zone"]) not in pairs, "routed twice: %r" % e
        pairs.add((e["category"], e["zone"]))


PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


def check_replies(tenant):
    groups = {g["code"] for g in tenant["groups"]}
    categories = {c["code"] for c in tenant["categories"]}
    seen = set()
    for t in tenant["reply_templates"]:
        key = (t["kind"], t["group"], t["category"])
        assert t["kind"] in REPLY_KINDS, key
        assert key not in seen, "two templates for %r" % (key,)
        seen.add(key)
        assert t["group"] is None or t["category"] is None, "group or category, not both: %r" % (
            key,)
        assert t["group"] is None or t["group"] in groups, key
        assert t["category"] is None or t["category"] in categories, key
        used = {}
        for lang in ("fr", "en"):
            text = t["text"][lang]
            names = PLACEHOLDER_RE.findall(text)
            assert "{" not in PLACEHOLDER_RE.sub("", text) and "}" not in PLACEHOLDER_RE.sub(
                "", text), "stray brace in %r" % (key,)
            for name in names:
                assert name in PLACEHOLDERS, "unknown placeholder {%s} in %r" % (name, key)
                only = PLACEHOLDERS[name]
                assert only is None or only == t["kind"], (
                    "{%s} is only for %s replies, not %r" % (name, only, key))
            required = REQUIRED_PLACEHOLDER.get(t["kind"])
            assert required is None or required in names, "%r needs {%s}" % (key, required)
            assert text.startswith(GREETING[lang] + "\n\n"), key
            assert text.endswith("\n\n" + SIGNATURE[lang]), "%r not signed by the town" % (key,)
            body = text[len(GREETING[lang]) + 2:-len(SIGNATURE[lang]) - 2]
            assert 0 < len(body) <= MAX_REPLY_BODY_CHARS, "%r: %d characters" % (key, len(body))
            used[lang] = sorted(set(names))
        assert used["fr"] == used["en"], "%r: languages use different placeholders" % (key,)
    for kind in REPLY_KINDS:
        assert (kind, None, None) in seen, "no town default for %s" % kind


def check_reasons(tenant):
    codes = [r["code"] for r in tenant["rejection_reasons"]]
    assert 5 <= len(codes) <= 8 and len(set(codes)) == len(codes), codes
    for lang in ("fr", "en"):
        labels = [r["label"][lang] for r in tenant["rejection_reasons"]]
        assert all(labels) and len(set(labels)) == len(labels), labels


def build_tenant(rows):
    pairs = collections.Counter((r["type"], r["soustype"]) for r in rows)
    types = {t for t, _ in pairs}
    assert types == set(GROUPS), types ^ set(GROUPS)
    frequent = {k for k, n in pairs.items() if n >= MIN_COUNT}
    missing = frequent - set(CATEGORIES)
    extra = set(CATEGORIES) - frequent
    assert not missing, "frequent pairs without a translation: %r" % sorted(missing)
    assert not extra, "translated pairs no longer frequent or absent: %r" % sorted(extra)
    service_codes = {s[0] for s in SERVICES}
    assert len(service_codes) == len(SERVICES), "duplicate service code"

    groups, categories = [], []
    for t in sorted(GROUPS, key=lambda t: -sum(n for (tt, _), n in pairs.items() if tt == t)):
        gcode, gen, gservice = GROUPS[t]
        groups.append({"code": gcode, "name": {"fr": t, "en": gen}})
        for key in sorted((k for k in CATEGORIES if k[0] == t), key=lambda k: (-pairs[k], k[1])):
            code, en, service = CATEGORIES[key]
            categories.append(with_rules({
                "code": code, "group": gcode,
                "name": {"fr": french_name(key[1]), "en": en},
                "service": service,
                "source": {"type": t, "soustype": key[1]},
            }))
        categories.append(with_rules({
            "code": gcode + "_autre", "group": gcode,
            "name": {"fr": "Autre", "en": "Other"},
            "service": gservice,
            "source": {"type": t, "soustype": None},
        }))

    codes = ([g["code"] for g in groups] + [c["code"] for c in categories] + list(service_codes)
             + [c for c, _ in REJECTION_REASONS])
    for c in codes:
        assert CODE_RE.match(c) and len(c) <= 48, "not a slug of at most 48 characters: %r" % c
    assert len({c["code"] for c in categories}) == len(categories), "duplicate category code"
    assert len({g["code"] for g in groups}) == len(groups), "duplicate group code"
    for c in categories:
        assert c["service"] in service_codes, c
    assert set(QUESTIONS) <= {c["code"] for c in categories}, "questions for unknown categories"
    assert set(DUPLICATE_RADIUS_M) <= {c["code"] for c in categories}, "radius of unknown categories"
    assert set(RESPONSE_DAYS) == {g["code"] for g in groups}, "response time per group"
    for g in groups:
        names = [(c["name"]["fr"], c["name"]["en"]) for c in categories if c["group"] == g["code"]]
        assert len({n[0] for n in names}) == len(names), "duplicate French name in " + g["code"]
        assert len({n[1] for n in names}) == len(names), "duplicate English name in " + g["code"]
    return {
        "id": "demo",
        "name": "Paris (démo)",
        "settings": SETTINGS,
        "services": [{"code": c, "name": {"fr": fr, "en": en}} for c, fr, en in SERVICES],
        "groups": groups,
        "categories": categories,
        "routing": [],  # filled in by build_routing(), which needs the zones
        "rejection_reasons": [{"code": c, "label": label} for c, label in REJECTION_REASONS],
        "reply_templates": REPLY_TEMPLATES,
    }


def with_rules(category):
    """Adds the category's response time, duplicate radius and extra questions, if any."""
    category["response_days"] = RESPONSE_DAYS[category["group"]]
    if category["code"] in DUPLICATE_RADIUS_M:
        category["duplicate_radius_m"] = DUPLICATE_RADIUS_M[category["code"]]
    if category["code"] in QUESTIONS:
        category["questions"] = QUESTIONS[category["code"]]
    return category


def check_mapping(tenant, rows):
    """Every CSV row maps to exactly one category: its (type, soustype), else its type's catch-all."""
    specific = collections.defaultdict(list)
    catch_all = collections.defaultdict(list)
    for c in tenant["categories"]:
        src = c["source"]
        if src["soustype"] is None:
            catch_all[src["type"]].append(c["code"])
        else:
            specific[(src["type"], src["soustype"])].append(c["code"])
    assert all(len(v) == 1 for v in specific.values()) and all(len(v) == 1 for v in catch_all.values())
    hits = 0
    for r in rows:
        key = (r["type"], r["soustype"])
        if key in specific:
            hits += 1
        else:
            assert r["type"] in catch_all, key
    return hits


def main():
    if not __debug__:
        sys.exit("the checks of this script are assertions: run it without -O")
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data"
    with open(data_dir / "paris_dansmarue_39k_merged.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    zones, zone_stats = build_zones(data_dir)
    tenant = build_tenant(rows)
    hits = check_mapping(tenant, rows)
    tenant["routing"], routing_figures = build_routing(tenant, zones, rows)
    check_routing(tenant, zones)
    check_reasons(tenant)
    check_replies(tenant)

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "zones.geojson").write_text(
        json.dumps(zones, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    (OUT / "tenant.json").write_text(
        json.dumps(tenant, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    kinds = collections.Counter(f["properties"]["kind"] for f in zones["features"])
    print("zones: %d features (%s), %d bytes; vertices dropped by rounding: %d + %d; "
          "quartier areas within %.1e of their arrondissement's" % (
              len(zones["features"]), ", ".join("%d %s" % (n, k) for k, n in sorted(kinds.items())),
              (OUT / "zones.geojson").stat().st_size, zone_stats["arrondissement_vertices_dropped"],
              zone_stats["quartier_vertices_dropped"], zone_stats["worst_tiling_gap"]))
    n_specific = sum(1 for c in tenant["categories"] if c["source"]["soustype"] is not None)
    print("services: %d, groups: %d, categories: %d (%d specific + %d catch-all)" % (
        len(tenant["services"]), len(tenant["groups"]), len(tenant["categories"]),
        n_specific, len(tenant["categories"]) - n_specific))
    print("rows: %d, mapped to a specific category: %d (%.2f%%), to a catch-all: %d" % (
        len(rows), hits, 100.0 * hits / len(rows), len(rows) - hits))
    print("routing: %d entries" % len(tenant["routing"]))
    for code, unit, k_in, n_in, top_out, k_top, k_out, n_out in routing_figures:
        print("  %s: %s handled %d of %d reports in the zones; elsewhere %s %d of %d (%s %d)" % (
            code, unit, k_in, n_in, top_out, k_top, n_out, unit, k_out))
    templates = collections.Counter(
        "category" if t["category"] else "group" if t["group"] else "default"
        for t in tenant["reply_templates"])
    print("rejection reasons: %d, reply templates: %d (%s)" % (
        len(tenant["rejection_reasons"]), len(tenant["reply_templates"]),
        ", ".join("%d %s" % (n, k) for k, n in sorted(templates.items()))))
    print("tenant.json: %d bytes" % (OUT / "tenant.json").stat().st_size)


if __name__ == "__main__":
    main()
