import { PROD_SECRETS } from "../stack";
import { verifyContract } from "./contract";

verifyContract("prod", PROD_SECRETS);
