/// dns.tf: with a Route 53 zone named (`var.dns`), the certificates — the load balancer's in the
/// environment's region, the CDN's in us-east-1 — issued by ACM and validated through the zone,
/// and the records that send the domains to CloudFront and the load balancer. Without one, the
/// certificates are the ARNs the deploy passes and the records are the operator's (the generated
/// README lists them).
enum AWSDNS {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                comment("The name the load balancer answers to: the origin's behind a CDN, the site's without one.")
                attr("load_balancer_domain", .ref("var.dns == null ? null : (var.cdn == null ? var.dns.domain : var.cdn.origin_domain)"))
                attr("certificate_domains", .ref("var.dns == null ? [] : concat([local.load_balancer_domain], var.cdn == null ? [] : var.cdn.aliases)"))
                attr("certificate_arn", .ref("var.dns == null ? var.certificate_arn : aws_acm_certificate_validation.load_balancer[0].certificate_arn"))
                attr("cdn_certificate_arn", .ref("var.dns == null || var.cdn == null ? var.cdn_certificate_arn : aws_acm_certificate_validation.cdn[0].certificate_arn"))
            }
            HCLBlock("data", "aws_route53_zone", "this") {
                attr("count", .ref("var.dns == null ? 0 : 1"))
                attr("name", .ref("var.dns.zone"))
                attr("private_zone", false)
            }
            comment("Behind CloudFront it covers the aliases too: CloudFront forwards the viewer's Host, and checks this certificate against it.")
            HCLBlock("resource", "aws_acm_certificate", "load_balancer") {
                attr("count", .ref("var.dns == null ? 0 : 1"))
                attr("domain_name", .ref("local.load_balancer_domain"))
                attr("subject_alternative_names", .ref("var.cdn == null ? [] : var.cdn.aliases"))
                attr("validation_method", "DNS")
                HCLItem.blank
                createBeforeDestroy
            }
            comment("CloudFront reads certificates in us-east-1 only.")
            HCLBlock("resource", "aws_acm_certificate", "cdn") {
                attr("provider", .ref("aws.us_east_1"))
                attr("count", .ref("var.dns == null || var.cdn == null ? 0 : 1"))
                attr("domain_name", .ref("var.cdn.aliases[0]"))
                attr("subject_alternative_names", .ref("slice(var.cdn.aliases, 1, length(var.cdn.aliases))"))
                attr("validation_method", "DNS")
                HCLItem.blank
                createBeforeDestroy
            }
            HCLBlock("locals") {
                comment("What ACM asks to find in the zone, by the domain it proves (the same record for every certificate of a name).")
                attr("certificate_validation", .ref("""
                    {
                        for domain, options in {
                          for option in flatten([for certificate in concat(aws_acm_certificate.load_balancer, aws_acm_certificate.cdn) : tolist(certificate.domain_validation_options)]) :
                          option.domain_name => option...
                        } : domain => options[0]
                      }
                    """))
            }
            HCLBlock("resource", "aws_route53_record", "certificate_validation") {
                comment("Keyed by the domains, which are known before ACM answers, so a first plan can count them.")
                attr("for_each", .ref("toset(local.certificate_domains)"))
                attr("zone_id", .ref("data.aws_route53_zone.this[0].zone_id"))
                attr("name", .ref("local.certificate_validation[each.key].resource_record_name"))
                attr("type", .ref("local.certificate_validation[each.key].resource_record_type"))
                attr("records", [.ref("local.certificate_validation[each.key].resource_record_value")])
                attr("ttl", 300)
                comment("Another certificate for the same name (a previous one, another stack's) asks for the same record.")
                attr("allow_overwrite", true)
            }
            HCLBlock("resource", "aws_acm_certificate_validation", "load_balancer") {
                attr("count", .ref("var.dns == null ? 0 : 1"))
                attr("certificate_arn", .ref("aws_acm_certificate.load_balancer[0].arn"))
                attr("validation_record_fqdns", .ref("[for domain in local.certificate_domains : aws_route53_record.certificate_validation[domain].fqdn]"))
            }
            HCLBlock("resource", "aws_acm_certificate_validation", "cdn") {
                attr("provider", .ref("aws.us_east_1"))
                attr("count", .ref("var.dns == null || var.cdn == null ? 0 : 1"))
                attr("certificate_arn", .ref("aws_acm_certificate.cdn[0].arn"))
                attr("validation_record_fqdns", .ref("[for alias in var.cdn.aliases : aws_route53_record.certificate_validation[alias].fqdn]"))
            }
            HCLBlock("locals") {
                comment("Each domain and where it points: the site's names at CloudFront (over IPv4 and IPv6), the load balancer's at the load balancer (IPv4).")
                attr("alias_records", .ref("""
                    var.dns == null ? {} : merge(
                        {
                          "${local.load_balancer_domain}/A" = { name = local.load_balancer_domain, type = "A", target = aws_lb.this.dns_name, zone_id = aws_lb.this.zone_id }
                        },
                        var.cdn == null ? {} : merge([for alias in var.cdn.aliases : {
                          for type in ["A", "AAAA"] : "${alias}/${type}" => { name = alias, type = type, target = module.cdn[0].domain_name, zone_id = module.cdn[0].hosted_zone_id }
                        }]...),
                      )
                    """))
            }
            HCLBlock("resource", "aws_route53_record", "site") {
                attr("for_each", .ref("local.alias_records"))
                attr("zone_id", .ref("data.aws_route53_zone.this[0].zone_id"))
                attr("name", .ref("each.value.name"))
                attr("type", .ref("each.value.type"))
                HCLItem.blank
                HCLBlock("alias") {
                    attr("name", .ref("each.value.target"))
                    attr("zone_id", .ref("each.value.zone_id"))
                    attr("evaluate_target_health", .ref("each.value.type == \"A\" && each.value.name == local.load_balancer_domain"))
                }
            }
        }
    }

    /// A renamed domain gets its new certificate before the listener lets go of the old one.
    private static var createBeforeDestroy: HCLBlock {
        HCLBlock("lifecycle") {
            attr("create_before_destroy", true)
        }
    }
}
