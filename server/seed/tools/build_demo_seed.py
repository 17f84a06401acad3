#!/usr/bin/env python3
"""Regenerate the demo-town seed in server/seed/demo/ from Ville de Paris open data.

Only needed to *regenerate* the seed: the generated files (zones.geojson, tenant.json) are
committed and the server never runs this script. It needs the project's shared data directory,
which users of Relais do not have: by default ``../shared/data`` next to the repository root
(i.e. ``<repo>/../shared/data``), or the directory given as the first argument. It reads:

- ``paris_arrondissements.geojson``: the 20 arrondissements (ODbL 1.0, Ville de Paris);
- ``paris_dansmarue_39k_merged.csv``: real "Dans ma rue" reports (ODbL 1.0, Ville de Paris),
  used for its (type, soustype) pairs, their frequencies and the services in charge.

Outputs:

- ``server/seed/demo/zones.geojson``: one Feature per arrondissement, geometry unchanged except
  coordinates rounded to 6 decimals, properties exactly {code, name, kind}.
- ``server/seed/demo/tenant.json``: the demo tenant's catalogue. One group per CSV ``type``,
  one category per (type, soustype) pair seen at least MIN_COUNT times (French name = the CSV
  wording, English name = the hand-written translation in CATEGORIES below), plus one catch-all
  ``<group>_autre`` category per group (``source.soustype`` null) so that every CSV row maps to
  exactly one category.

The script fails if the CSV gains a frequent pair that CATEGORIES does not translate, or if a
code is not unique / not a slug of at most 48 characters. Standard library only; Python 3.8+.
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
        "kind": {"type": "number"},
        "required": True,
    }],
}


def french_name(soustype):
    """The CSV wording, minus the empty "[]" markers left where the export stripped an internal
    tag (e.g. "[] Patrouille propreté DT"), with runs of spaces collapsed."""
    name = soustype.replace("[] ", "").replace("[]", "")
    return re.sub(r"\s+", " ", name).strip()


def round_coords(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], 6), round(coords[1], 6)]
    out = [round_coords(c) for c in coords]
    if out and isinstance(out[0][0], (int, float)):
        # A ring: drop consecutive duplicates that rounding could create.
        ring = [out[0]] + [p for prev, p in zip(out, out[1:]) if p != prev]
        assert ring[0] == ring[-1] and len(ring) >= 4, "ring broken by rounding"
        out = ring
    return out


def build_zones(data_dir):
    src = json.loads((data_dir / "paris_arrondissements.geojson").read_text(encoding="utf-8"))
    features = []
    for f in src["features"]:
        p = f["properties"]
        insee = p.get("c_arinsee")
        code = str(insee) if insee else "751%02d" % int(p["c_ar"])
        name = "Paris " + p["l_ar"] if p.get("l_ar") else "Paris %d" % int(p["c_ar"])
        geom = f["geometry"]
        assert geom["type"] in ("Polygon", "MultiPolygon")
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": name, "kind": "arrondissement"},
            "geometry": {"type": geom["type"], "coordinates": round_coords(geom["coordinates"])},
        })
    features.sort(key=lambda f: f["properties"]["code"])
    codes = [f["properties"]["code"] for f in features]
    assert codes == ["751%02d" % i for i in range(1, 21)], codes
    return {"type": "FeatureCollection", "features": features}


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

    codes = [g["code"] for g in groups] + [c["code"] for c in categories] + list(service_codes)
    for c in codes:
        assert CODE_RE.match(c) and len(c) <= 48, c
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
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data"
    with open(data_dir / "paris_dansmarue_39k_merged.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    zones = build_zones(data_dir)
    tenant = build_tenant(rows)
    hits = check_mapping(tenant, rows)

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "zones.geojson").write_text(
        json.dumps(zones, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    (OUT / "tenant.json").write_text(
        json.dumps(tenant, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    n_specific = sum(1 for c in tenant["categories"] if c["source"]["soustype"] is not None)
    print("zones: %d features" % len(zones["features"]))
    print("services: %d, groups: %d, categories: %d (%d specific + %d catch-all)" % (
        len(tenant["services"]), len(tenant["groups"]), len(tenant["categories"]),
        n_specific, len(tenant["categories"]) - n_specific))
    print("rows: %d, mapped to a specific category: %d (%.2f%%), to a catch-all: %d" % (
        len(rows), hits, 100.0 * hits / len(rows), len(rows) - hits))


if __name__ == "__main__":
    main()
